"""Installation events: logged so operators can see where the App is installed.

The App keeps no installation state (tokens are requested on demand), so these handlers
only record what changed; they make no GitHub calls.
"""

from __future__ import annotations

import logging
from typing import Any

from gidgethub import routing
from gidgethub.abc import GitHubAPI

from bot.deliveries import InstallationDelivery
from bot.features.context import Context

log = logging.getLogger(__name__)
router = routing.Router()


def _installation_fields(delivery: InstallationDelivery) -> dict[str, Any]:
    return {
        "installation_id": delivery.installation_id,
        "account": delivery.account,
        "action": delivery.action,
        "sender": delivery.sender.login if delivery.sender else None,
    }


@router.register("installation")
async def installation_changed(delivery: InstallationDelivery, gh: GitHubAPI, ctx: Context) -> None:
    """created / deleted / suspend / unsuspend / new_permissions_accepted."""
    fields = _installation_fields(delivery)
    fields["repositories"] = list(delivery.repositories)
    log.info("installation %s on %s", fields["action"], fields["account"], extra=fields)


@router.register("installation_repositories")
async def repositories_changed(delivery: InstallationDelivery, gh: GitHubAPI, ctx: Context) -> None:
    """Repositories added to or removed from an installation."""
    fields = _installation_fields(delivery)
    fields["added"] = list(delivery.added)
    fields["removed"] = list(delivery.removed)
    log.info(
        "installation repositories %s on %s: +%d -%d",
        fields["action"],
        fields["account"],
        len(fields["added"]),
        len(fields["removed"]),
        extra=fields,
    )
