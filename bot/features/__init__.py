"""Feature modules: each exposes a gidgethub ``routing.Router`` named ``router``."""

from gidgethub import routing

from bot.features import check, commands, dashboard, decisions, installation, numbering

router = routing.Router(
    check.router,
    commands.router,
    decisions.router,
    numbering.router,
    installation.router,
    dashboard.router,
)
