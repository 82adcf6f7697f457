"""GitHub's App-manifest flow, as ``rfc-bot register`` meets it.

Two halves:

- the web form: ``POST /settings/apps/new`` (a user's App) and
  ``POST /organizations/{org}/settings/apps/new`` (an organisation's), with the form field
  ``manifest`` (JSON) and the query ``state``. GitHub shows a page where the user confirms;
  the simulator confirms at once and redirects (302) to the manifest's ``redirect_url`` with
  ``code`` and ``state``, as GitHub does after the click;
- the REST operation ``POST /app-manifests/{code}/conversions`` (no authentication): a code is
  good once, for one hour, and answers the new App's id, slug, client id and secret, webhook
  secret and private key (``pem``). The manifest's ``callback_urls`` become the new App's
  OAuth callback URLs; its client id and secret work on the OAuth web flow.

The routes are listed in sandbox/routes/table.py.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sandbox.github import MAX_CALLBACK_URLS, GitHub, PendingManifest
from sandbox.routes.call import Call, Reply
from sandbox.sim_state import ApiError, iso

CODE_LIFETIME = timedelta(hours=1)  # documented: "You must complete this step within one hour"
MAX_NAME = 34  # GitHub's limit on an App's name
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


def manifest_problems(manifest: Any) -> list[str]:
    """Why GitHub's form would refuse this manifest (empty: it accepts it)."""
    if not isinstance(manifest, dict):
        return ["the manifest is not a JSON object"]
    problems = []
    if not isinstance(manifest.get("url"), str) or not manifest["url"]:
        problems.append("url is required")
    name = manifest.get("name")
    if name is not None and (not isinstance(name, str) or len(name) > MAX_NAME):
        problems.append(f"name must be a string of at most {MAX_NAME} characters")
    redirect = manifest.get("redirect_url")
    if not isinstance(redirect, str) or urlsplit(redirect).scheme not in ("http", "https"):
        problems.append("redirect_url must be an http(s) URL")
    callbacks = manifest.get("callback_urls", [])
    if not isinstance(callbacks, list) or len(callbacks) > MAX_CALLBACK_URLS:
        problems.append(f"callback_urls must be a list of at most {MAX_CALLBACK_URLS} URLs")
    elif any(
        not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https")
        for url in callbacks
    ):
        problems.append("callback_urls must be http(s) URLs")
    hook = manifest.get("hook_attributes", {})
    if not isinstance(hook, dict) or ("url" in hook and not isinstance(hook["url"], str)):
        problems.append("hook_attributes.url must be a string")
    return problems


def slug_for(name: str) -> str:
    return _SLUG_JUNK.sub("-", name.lower()).strip("-") or "app"


async def new_app_form(sim: GitHub, request: web.Request) -> web.StreamResponse:
    """The user confirms the new App: redirect to ``redirect_url?code=...&state=...``."""
    form = await request.post()
    raw = form.get("manifest")
    manifest: Any
    try:
        manifest = json.loads(raw) if isinstance(raw, str) else None
    except json.JSONDecodeError:
        manifest = None
    problems = manifest_problems(manifest)
    if problems:
        reason = "; ".join(problems)
        return web.Response(status=422, text=f"Invalid GitHub App configuration: {reason}")
    org = request.match_info.get("org")
    code = secrets.token_hex(20)
    sim.manifest_codes[code] = PendingManifest(
        manifest,
        org or sim.manifest_user,
        "Organization" if org else "User",
        sim.clock.now(),
    )
    query = {"code": code}
    if "state" in request.query:
        query["state"] = request.query["state"]
    separator = "&" if "?" in manifest["redirect_url"] else "?"
    raise web.HTTPFound(manifest["redirect_url"] + separator + urlencode(query))


def create_from_manifest(sim: GitHub, call: Call) -> Reply:
    pending = sim.manifest_codes.pop(call.params["code"], None)
    if pending is None or sim.clock.now() - pending.issued > CODE_LIFETIME:
        raise ApiError(404, "Not Found")
    manifest = pending.manifest
    name = str(manifest.get("name") or f"{pending.owner}-app")
    slug = slug_for(name)
    app_id = sim.register_app(slug, callback_urls=manifest.get("callback_urls") or [])
    client = sim.oauth_client(app_id)  # the OAuth half: client id, secret, callback URLs
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,  # GitHub hands out PKCS#1 keys
        serialization.NoEncryption(),
    ).decode()
    now = iso(sim.clock.now())
    owner_id = sim.next_id()
    return Reply(
        201,
        {
            "id": app_id,
            "slug": slug,
            "node_id": f"A_{app_id}",
            "client_id": client.client_id,
            "client_secret": client.client_secret,
            "webhook_secret": secrets.token_hex(20),
            "pem": pem,
            "name": name,
            "description": manifest.get("description"),
            "external_url": manifest["url"],
            "html_url": f"https://github.com/apps/{slug}",
            "owner": {"login": pending.owner, "id": owner_id, "type": pending.owner_type},
            "permissions": dict(manifest.get("default_permissions") or {}),
            "events": list(manifest.get("default_events") or []),
            "created_at": now,
            "updated_at": now,
        },
    )
