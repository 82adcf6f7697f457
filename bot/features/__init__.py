"""Feature modules: each exposes a gidgethub ``routing.Router`` named ``router``."""

from gidgethub import routing

from bot.features import checks, installation, numbering, status

router = routing.Router(checks.router, status.router, numbering.router, installation.router)
