"""``rfc-bot register``: create the GitHub App from ``app.yml`` with GitHub's manifest flow.

1. A local page (aiohttp, loopback only) holds a form that posts ``app.yml`` as JSON to
   GitHub's new-App form, for a user (``/settings/apps/new``) or an organisation
   (``/organizations/ORG/settings/apps/new``), with a random ``state``.
2. The user confirms on GitHub, which redirects to the page's ``/callback`` with a ``code``.
3. The code is exchanged (``POST /app-manifests/{code}/conversions``, no authentication, good
   once for an hour) for the App's id, private key, webhook secret and OAuth client id and
   secret, written to ``.env`` (mode 0600; an existing file is kept unless ``--force``).

The webhook URL must be one GitHub can deliver to: https, a public host name, not a
placeholder (``example.com`` and the names reserved for examples and tests) nor a loopback or
private address; ``--local`` registers a trial App anyway (docs/deploy.md).

When the App's public URL is known (``--public-url``, or a webhook URL ending in ``/webhook``),
the manifest registers ``PUBLIC_URL/dashboard/callback`` as the OAuth callback URL and the
``.env`` turns the dashboard's sign-in on (docs/dashboard.md).

The deciding parts (URLs, the manifest, the ``.env`` text) are pure; ``register`` is the edge.
"""

from __future__ import annotations

import asyncio
import html
import ipaddress
import json
import os
import secrets
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import yaml
from aiohttp import web

from bot.github.manifests import CodeRefused, convert_manifest_code
from bot.serve.settings import DASHBOARD_CALLBACK_PATH

GITHUB_URL = "https://github.com"
# Domains reserved for documentation (RFC 2606, 6761) and mDNS: GitHub can deliver to none.
PLACEHOLDER_DOMAINS = ("example.com", "example.net", "example.org")
LOCAL_TOP_LEVEL = ("test", "invalid", "localhost", "local", "internal")  # .internal: ICANN 2024
LOCAL_DOMAINS = ("home.arpa",)  # RFC 8375: residential networks


class RegisterError(Exception):
    """Registration cannot go on: the message says why and what to do."""


@dataclass(frozen=True)
class Options:
    manifest_path: Path = Path("app.yml")
    env_path: Path = Path(".env")
    org: str | None = None
    github_url: str = GITHUB_URL
    api_url: str | None = None  # default: derived from github_url
    webhook_url: str | None = None  # default: app.yml's hook_attributes.url
    public_url: str | None = None  # default: the webhook URL without its /webhook
    key_file: Path | None = None  # write the key there (GITHUB_PRIVATE_KEY_PATH) instead
    force: bool = False
    port: int = 0
    local: bool = False  # a trial App: any webhook URL, reachable by GitHub or not


@dataclass(frozen=True)
class NewApp:
    """What the conversion answered, as much as ``.env`` needs."""

    id: int
    slug: str
    pem: str
    webhook_secret: str
    html_url: str
    client_id: str = ""  # the OAuth half: the dashboard's sign-in
    client_secret: str = field(default="", repr=False)


# --- pure ------------------------------------------------------------------------------------


def api_url_for(github_url: str) -> str:
    """github.com's API is api.github.com; GitHub Enterprise Server's is ``/api/v3``."""
    base = github_url.rstrip("/")
    if urlsplit(base).hostname == "github.com":
        return "https://api.github.com"
    return f"{base}/api/v3"


def is_placeholder_host(host: str) -> bool:
    """A name reserved for examples: ``example.com`` and the like, or under ``.example``."""
    host = host.lower().rstrip(".")
    in_domain = any(host == d or host.endswith("." + d) for d in PLACEHOLDER_DOMAINS)
    return in_domain or host.rpartition(".")[2] == "example"


def _is_local_name(host: str) -> bool:
    """``localhost``, or a name GitHub's resolvers never answer (``.test``, mDNS ``.local``,
    private-use ``.internal`` and ``.home.arpa``)."""
    host = host.lower().rstrip(".")
    in_domain = any(host == d or host.endswith("." + d) for d in LOCAL_DOMAINS)
    return in_domain or host.rpartition(".")[2] in LOCAL_TOP_LEVEL


def undeliverable(url: str, *, enterprise: bool = False) -> str | None:
    """Why GitHub could not deliver webhooks to ``url``, or None. github.com reaches only
    public hosts; an Enterprise Server (``enterprise``) may reach private ones."""
    try:
        parts = urlsplit(url)
        scheme, host = parts.scheme, parts.hostname or ""
    except ValueError:  # an unbalanced [ in the host
        scheme, host = "", ""
    if scheme not in ("http", "https") or not host:
        return "is not an http(s) URL"
    try:
        parts.port  # noqa: B018 (read for the ValueError of a port out of range or not a number)
    except ValueError:
        return f"has no valid port ({parts.netloc.rpartition(':')[2]})"
    host = host.rstrip(".")  # 127.0.0.1. is 127.0.0.1
    if is_placeholder_host(host):
        return f"is a placeholder ({host} is reserved for examples)"
    if _is_local_name(host):
        return f"names {host}, which GitHub cannot reach"
    unreachable = _unreachable(host, enterprise)
    if unreachable:
        return unreachable
    if scheme != "https":
        return "is not https (every delivery would cross the network in clear)"
    return None


def _unreachable(host: str, enterprise: bool) -> str | None:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:  # a name: github.com resolves only names with a dot
        return None if enterprise or "." in host else f"names {host}, not a public host name"
    if address.is_loopback or address.is_unspecified:
        return f"names {host}, this machine's own address, which GitHub cannot reach"
    if not enterprise and not address.is_global:
        return f"names {host}, a private address github.com cannot reach"
    return None


def check_webhook_url(url: str | None, github_url: str) -> None:
    """Refuse a webhook URL GitHub could not deliver to, saying what to pass instead."""
    reason = undeliverable(url or "", enterprise=urlsplit(github_url).hostname != "github.com")
    if reason is not None:
        shown = url or "(none: app.yml has no hook_attributes.url)"
        raise RegisterError(
            f"the webhook URL {shown} {reason}: pass --webhook-url https://YOUR-HOST/webhook, "
            "or --local for a trial App on this machine"
        )


def new_app_url(github_url: str, org: str | None, state: str) -> str:
    base = github_url.rstrip("/")
    where = f"/organizations/{quote(org, safe='')}" if org else ""
    return f"{base}{where}/settings/apps/new?state={quote(state, safe='')}"


def manifest_for(
    app_yml: Any, redirect_url: str, webhook_url: str | None, public_url: str | None = None
) -> dict[str, Any]:
    """``app.yml`` as the manifest GitHub expects, returning to ``redirect_url``; with a
    public URL, the dashboard's sign-in callback is its OAuth callback URL."""
    if not isinstance(app_yml, dict) or not app_yml.get("url"):
        raise RegisterError("the manifest must be a mapping with at least `url` (see app.yml)")
    manifest = dict(app_yml)
    manifest["redirect_url"] = redirect_url
    if webhook_url is not None:
        hook = dict(manifest.get("hook_attributes") or {})
        manifest["hook_attributes"] = {**hook, "url": webhook_url}
    if public_url:
        manifest["callback_urls"] = [public_url + DASHBOARD_CALLBACK_PATH]
    return manifest


def public_url_for(public_url: str | None, webhook_url: str | None) -> str | None:
    """Where browsers reach the App: as given, or the webhook URL without its ``/webhook``
    (the App serves both); None when neither says."""
    if public_url:
        return public_url.rstrip("/")
    if webhook_url and webhook_url.rstrip("/").endswith("/webhook"):
        return webhook_url.rstrip("/").removesuffix("/webhook")
    return None


def form_page(action: str, manifest: Mapping[str, Any]) -> str:
    """The page that posts the manifest to GitHub (one click; no script needed)."""
    return (
        "<!doctype html>\n<html><head><meta charset='utf-8'><title>Register rfc-bot</title>"
        "</head><body>\n"
        f"<form method='post' action='{html.escape(action, quote=True)}'>\n"
        f"<input type='hidden' name='manifest' value='{html.escape(json.dumps(manifest))}'>\n"
        "<p>Create the GitHub App from app.yml on GitHub:</p>\n"
        "<button type='submit'>Register the GitHub App</button>\n</form></body></html>\n"
    )


def conversion_from(body: Any) -> NewApp:
    try:
        return NewApp(
            id=int(body["id"]),
            slug=str(body["slug"]),
            pem=str(body["pem"]),
            webhook_secret=str(body["webhook_secret"]),
            html_url=str(body.get("html_url", "")),
            client_id=str(body["client_id"]),
            client_secret=str(body["client_secret"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise RegisterError(f"GitHub's answer lacks the App's credentials ({error})") from error


def env_text(
    app: NewApp,
    api_url: str,
    key_file: Path | None,
    public_url: str | None = None,
    github_url: str = GITHUB_URL,
) -> str:
    """The ``.env`` lines ``rfc-bot serve`` reads (the key inline, or a path to it). The
    dashboard's sign-in is on when the public URL is known; else its lines wait, commented
    out (``serve`` refuses a client id without ``PUBLIC_URL``)."""
    key = (
        f"GITHUB_PRIVATE_KEY_PATH={key_file}"
        if key_file
        else 'GITHUB_PRIVATE_KEY="' + app.pem.strip().replace("\n", "\\n") + '\\n"'
    )
    lines = [
        f"# The GitHub App {app.slug} ({app.html_url}), written by `rfc-bot register`.",
        f"GITHUB_APP_ID={app.id}",
        key,
        f"GITHUB_WEBHOOK_SECRET={app.webhook_secret}",
        f"GITHUB_API_URL={api_url}",
    ]
    if github_url.rstrip("/") != GITHUB_URL:
        lines.append(f"GITHUB_WEB_URL={github_url.rstrip('/')}")
    sign_in = [f"GITHUB_CLIENT_ID={app.client_id}", f"GITHUB_CLIENT_SECRET={app.client_secret}"]
    if public_url:
        lines += ["# The dashboard's GitHub sign-in (docs/dashboard.md).", *sign_in]
        lines.append(f"PUBLIC_URL={public_url}")
    elif app.client_id:
        lines.append("# The dashboard's sign-in: set PUBLIC_URL, uncomment (docs/dashboard.md).")
        lines += [f"# {line}" for line in sign_in]
        lines.append("# PUBLIC_URL=https://rfc-bot.example.com")
    return "\n".join(lines) + "\n"


# --- edges -----------------------------------------------------------------------------------


def write_private(path: Path, text: str, *, force: bool) -> None:
    """Write ``text`` readable by its owner only; never follow into an existing file unasked."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    try:
        descriptor = os.open(path, flags, 0o600)
    except FileExistsError as error:
        raise RegisterError(f"{path} exists: keep it, or pass --force to replace it") from error
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        os.fchmod(file.fileno(), 0o600)  # an existing file replaced with --force, too
        file.write(text)


async def convert(api_url: str, code: str) -> NewApp:
    try:
        return conversion_from(await convert_manifest_code(api_url, code))
    except CodeRefused as refused:
        raise RegisterError(
            f"GitHub refused the code ({refused.status}): it is good once, for one hour; "
            "run `rfc-bot register` again"
        ) from None


def load_manifest(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise RegisterError(
            f"cannot read {path}: {error.strerror}; run this in the folder that holds the App "
            "manifest (a checkout of rfc-bot has app.yml), or pass --manifest FILE"
        ) from error
    except yaml.YAMLError as error:
        raise RegisterError(f"{path} is not valid YAML: {error}") from error


async def register(
    options: Options, on_ready: Callable[[str], Awaitable[None] | None] | None = None
) -> NewApp:
    """Serve the page on loopback until GitHub's redirect brings a code; write ``.env``.

    ``on_ready`` gets the page's URL once it is served (the command opens a browser)."""
    if options.env_path.exists() and not options.force:
        raise RegisterError(f"{options.env_path} exists: keep it, or pass --force to replace it")
    if options.webhook_url and not options.local:  # refused before any file is read
        check_webhook_url(options.webhook_url, options.github_url)
    app_yml = load_manifest(options.manifest_path)
    if not options.webhook_url and not options.local:
        check_webhook_url(hook_url_of(app_yml), options.github_url)
    api_url = options.api_url or api_url_for(options.github_url)
    public_url = public_url_for(options.public_url, options.webhook_url or hook_url_of(app_yml))
    state = secrets.token_urlsafe(24)
    page_token = [secrets.token_urlsafe(24)]  # spent by the first visit: one browser gets the form
    done: asyncio.Future[NewApp] = asyncio.get_running_loop().create_future()
    manifest: dict[str, Any] = {}
    hosts: set[str] = set()

    @web.middleware
    async def loopback_host_only(request: web.Request, handler: Any) -> web.StreamResponse:
        # Another site's page cannot reach this one through a name that resolves to 127.0.0.1
        # (DNS rebinding): its requests carry that name as Host.
        if request.host not in hosts:
            return web.Response(status=421, text="Open the address this command printed.")
        return await handler(request)

    async def page(request: web.Request) -> web.Response:
        token = request.query.get("token", "")
        if not page_token or not secrets.compare_digest(token, page_token[0]):
            return web.Response(
                status=403, text="This page opens once, from the address the command printed."
            )
        page_token.clear()
        action = new_app_url(options.github_url, options.org, state)
        return web.Response(text=form_page(action, manifest), content_type="text/html")

    async def callback(request: web.Request) -> web.Response:
        if not secrets.compare_digest(request.query.get("state", ""), state):
            return web.Response(status=400, text="Unexpected state: start again from the page.")
        code = request.query.get("code", "")
        if not code or done.done():
            return web.Response(status=400, text="No code, or this registration is over.")
        try:
            new = await convert(api_url, code)
            write_secrets(options, new, api_url, public_url)
        except RegisterError as error:
            done.set_exception(error)
            return web.Response(status=502, text=str(error))
        done.set_result(new)
        return web.Response(
            text=f"The GitHub App {new.slug} is registered; its settings are in "
            f"{options.env_path}. Install it: {new.html_url}/installations/new"
        )

    server = web.Application(middlewares=[loopback_host_only])
    server.router.add_get("/", page)
    server.router.add_get("/callback", callback)
    runner = web.AppRunner(server, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", options.port)  # loopback only
        try:
            await site.start()
        except OSError as error:
            raise RegisterError(
                f"cannot listen on 127.0.0.1:{options.port} ({error.strerror or error}): "
                "pass another --port, or --port 0 for any free one"
            ) from None
        port = runner.addresses[0][1]
        hosts.update({f"127.0.0.1:{port}", f"localhost:{port}"})
        base = f"http://127.0.0.1:{port}"
        manifest.update(manifest_for(app_yml, f"{base}/callback", options.webhook_url, public_url))
        if on_ready is not None:
            ready = on_ready(f"{base}/?token={page_token[0]}")
            if ready is not None:
                await ready
        return await done
    finally:
        await runner.cleanup()


def hook_url_of(app_yml: Any) -> str | None:
    hook = app_yml.get("hook_attributes") if isinstance(app_yml, dict) else None
    url = hook.get("url") if isinstance(hook, dict) else None
    return url if isinstance(url, str) else None


def write_secrets(options: Options, new: NewApp, api_url: str, public_url: str | None) -> None:
    if options.key_file is not None:
        write_private(options.key_file, new.pem, force=options.force)
    text = env_text(new, api_url, options.key_file, public_url, options.github_url)
    write_private(options.env_path, text, force=options.force)


def main(options: Options, open_browser: bool) -> int:
    """The command: exit 0 with the App written to ``.env``, 2 with one line on failure."""

    def announce(url: str) -> None:
        print(f"Open {url} to register the GitHub App (waiting; Ctrl-C stops).", file=sys.stderr)
        if open_browser:
            import webbrowser

            webbrowser.open(url)

    try:
        new = asyncio.run(register(options, announce))
    except RegisterError as error:
        print(f"rfc-bot: error: {error}", file=sys.stderr)
        return 2
    print(f"Registered the GitHub App {new.slug} (id {new.id}); wrote {options.env_path}.")
    return 0
