"""Every feature's gidgethub ``Router``, composed once: what the server and the Action dispatch
deliveries to."""

from gidgethub import routing

import bot.features.check as check
import bot.features.commands as commands
import bot.features.dashboard as dashboard
import bot.features.decisions as decisions
import bot.features.installation as installation
import bot.features.numbering as numbering

router = routing.Router(
    check.router,
    commands.router,
    decisions.router,
    numbering.router,
    installation.router,
    dashboard.router,
)
