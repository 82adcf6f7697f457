"""REST routes of Apps and their installations: the App itself, installation tokens, the
installations a sweep lists and the repositories an installation reaches."""

from __future__ import annotations

from typing import Any

from sandbox import sim_render as render
from sandbox.github import GitHub
from sandbox.routes.call import Call, Reply, paginate, since_of
from sandbox.sim_state import ApiError, iso, not_found


def get_app(sim: GitHub, call: Call) -> Reply:
    # GitHub adds the count only when an App asks about itself (its JWT): always, here.
    return Reply(200, {**sim.app_json(), "installations_count": len(sim.installations)})


def get_app_by_slug(sim: GitHub, call: Call) -> Reply:
    """Any App by its slug, which names its bot user (``<slug>[bot]``); GitHub matches slugs
    without regard to case. An installation token may ask (the App may be private)."""
    wanted = call.params["app_slug"].lower()
    for app_id, slug in sim.apps.items():
        if slug.lower() == wanted:
            return Reply(200, sim.app_json(app_id))
    raise not_found()


def create_token(sim: GitHub, call: Call) -> Reply:
    installation_id = int(call.params["installation_id"])
    if installation_id not in sim.installations:
        raise not_found()
    if installation_id in sim.suspended:
        raise ApiError(403, "This installation has been suspended")
    token, expires = sim.issue_token(installation_id)
    repos = [
        render.repo_json(r, call.base)
        for r in sim.repos.values()
        if r.installation_id == installation_id
    ]
    return Reply(
        201,
        {
            "token": token,
            "expires_at": iso(expires),
            "permissions": sim.app_permissions(),
            "repository_selection": "all",
            "repositories": repos,
        },
    )


def list_installations(sim: GitHub, call: Call) -> Reply:
    since = since_of(call)
    rendered = [
        installation_json(sim, installation_id, call.base)
        for installation_id in sorted(sim.installations)
        if since is None or sim.installed_at[installation_id] >= since
    ]
    return paginate(call, rendered)


def installation_json(sim: GitHub, installation_id: int, base: str) -> dict[str, Any]:
    account = sim.installations[installation_id]
    owned = [r for r in sim.repos.values() if r.installation_id == installation_id]
    kind = owned[0].owner_type if owned else "Organization"
    installed = iso(sim.installed_at[installation_id])
    suspended = sim.suspended.get(installation_id)
    return {
        "id": installation_id,
        "account": render.user_json(account, kind),
        "repository_selection": "all",
        "access_tokens_url": f"{base}/app/installations/{installation_id}/access_tokens",
        "repositories_url": f"{base}/installation/repositories",
        "html_url": f"{render.HTML}/organizations/{account}/settings/installations/"
        f"{installation_id}",
        "app_id": int(sim.app_id),
        "app_slug": sim.app_slug,
        "target_id": render.user_id(account),
        "target_type": kind,
        "permissions": sim.app_permissions(),
        "events": sim.app_json()["events"],
        "created_at": installed,
        "updated_at": installed,
        "single_file_name": None,
        "has_multiple_single_files": False,
        "single_file_paths": [],
        "suspended_by": None if suspended is None else render.user_json(account, "User"),
        "suspended_at": None if suspended is None else iso(suspended),
    }


def list_installation_repos(sim: GitHub, call: Call) -> Reply:
    if call.installation_id is None:
        raise ApiError(401, "Bad credentials")
    repos = sorted(
        (r for r in sim.repos.values() if r.installation_id == call.installation_id),
        key=lambda r: r.full_name.lower(),
    )
    page = paginate(call, [render.repo_json(r, call.base) for r in repos])
    page.body = {
        "total_count": len(repos),
        "repository_selection": "all",
        "repositories": page.body,
    }
    return page
