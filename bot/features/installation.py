"""Installation events: logged so operators can see where the App is installed.

The App keeps no installation state (tokens are requested on demand), so these handlers
only record what changed; they make no GitHub calls.
"""

from __future__ import annotations

import logging
from typing import Any

from gidgethub import routing, sansio
from gidgethub.abc import GitHubAPI

from bot.features.context import Context

log = logging.getLogger(__name__)
router = routing.Router()


def _names(repositories: Any) -> list[str]:
    if not isinstance(repositories, list):
        return []
    return [r["full_name"] for r in repositories if isinstance(r, dict) and "full_name" in r]


def _installation_fields(event: sansio.Event) -> dict[str, Any]:
    installation = event.data.get("installation") or {}
    account = installation.get("account") or {}
    return {
        "installation_id": installation.get("id"),
        "account": account.get("login"),
        "action": event.data.get("action"),
        "sender": (event.data.get("sender") or {}).get("login"),
    }


@router.register("installation")
async def installation_changed(event: sansio.Event, gh: GitHubAPI, ctx: Context) -> None:
    """created / deleted / suspend / unsuspend / new_permissions_accepted."""
    fields = _installation_fields(event)
    fields["repositories"] = _names(event.data.get("repositories"))
    log.info("installation %s on %s", fields["action"], fields["account"], extra=fields)


@router.register("installation_repositories")
async def repositories_changed(event: sansio.Event, gh: GitHubAPI, ctx: Context) -> None:
    """Repositories added to or removed from an installation."""
    fields = _installation_fields(event)
    fields["added"] = _names(event.data.get("repositories_added"))
    fields["removed"] = _names(event.data.get("repositories_removed"))
    log.info(
        "installation repositories %s on %s: +%d -%d",
        fields["action"],
        fields["account"],
        len(fields["added"]),
        len(fields["removed"]),
        extra=fields,
    )
