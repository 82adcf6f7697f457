"""Sign and send webhook deliveries the way GitHub does (for tests, benchmarks, the demo)."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any

import aiohttp

HOOKSHOT_USER_AGENT = "GitHub-Hookshot/sandbox"


def signature(body: bytes, secret: str) -> str:
    """The ``X-Hub-Signature-256`` header value: HMAC-SHA256 of the raw body, hex."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def delivery_headers(
    event: str, body: bytes, secret: str, delivery_id: str | None = None
) -> dict[str, str]:
    return {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery_id or str(uuid.uuid4()),
        "X-Hub-Signature-256": signature(body, secret),
        "Content-Type": "application/json",
        "User-Agent": HOOKSHOT_USER_AGENT,
    }


async def deliver(
    session: aiohttp.ClientSession,
    url: str,
    event: str,
    payload: dict[str, Any],
    secret: str,
    *,
    delivery_id: str | None = None,
) -> int:
    """POST one signed delivery; returns the HTTP status the receiver answered."""
    body = json.dumps(payload).encode()
    headers = delivery_headers(event, body, secret, delivery_id)
    async with session.post(url, data=body, headers=headers) as response:
        await response.read()
        return response.status
