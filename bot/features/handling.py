"""Running a delivery's handlers, as the server and the Action both do.

``route`` matches the delivery against a router and reads its payload into the typed value
(``bot.deliveries``) once; a payload of the wrong shape is refused there, before a client is
built or a handler runs. ``run_handler`` runs one handler guarded on its own, so one failing
does not keep the others from running, and names its outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from gidgethub import routing, sansio

from bot.deliveries import Delivery, action_of, delivery_of
from bot.errors import PayloadError, UserError
from bot.features.context import Context

log = logging.getLogger(__name__)

Handler = Callable[[Delivery, Any, Context], Awaitable[None]]


@dataclass(frozen=True)
class Routed:
    """A delivery some handlers take, read into its typed value."""

    delivery: Delivery
    handlers: frozenset[Handler]


def route(router: routing.Router, event: sansio.Event) -> Routed | None:
    """The handlers registered for the event and its typed delivery; None when no handler
    takes it (its payload is then not read). ``PayloadError``: signed, yet not the shape the
    App relies on, so no handler may run."""
    action_of(event)  # the router matches on it: refused before matching when no string
    handlers = router.fetch(event)
    if not handlers:
        return None
    return Routed(delivery_of(event), handlers)


def refused(event: sansio.Event, error: PayloadError) -> None:
    """The one log line of a delivery refused for its shape."""
    log.warning("delivery %s (%s) ignored: %s", event.delivery_id, event.event, error)


async def run_handler(handler: Handler, delivery: Delivery, gh: Any, context: Context) -> str:
    """One handler on one delivery; returns its outcome (it never raises but cancellation)."""
    try:
        await handler(delivery, gh, context)
    except UserError as error:
        log.info("%s: user error on delivery %s: %s", _name(handler), delivery.delivery_id, error)
        return "user_error"
    except PayloadError as error:
        # Something GitHub answered was not the shape it documents (the delivery's own shape
        # was checked in ``route``): the handler stopped there.
        log.warning(
            "%s: delivery %s (%s) ignored: %s",
            _name(handler),
            delivery.delivery_id,
            delivery.event,
            error,
        )
        return "ignored_payload"
    except TimeoutError:
        # The client's own deadline (DeadlineExceeded) or a handler's timeout.
        log.error("%s: delivery %s timed out", _name(handler), delivery.delivery_id)
        return "timeout"
    except Exception:
        log.exception(
            "%s: internal error on delivery %s (%s)",
            _name(handler),
            delivery.delivery_id,
            delivery.event,
        )
        return "error"
    return "handled"


def _name(handler: Handler) -> str:
    """The handler's name for a log line (looked up only when there is a line to write)."""
    return getattr(handler, "__qualname__", None) or repr(handler)
