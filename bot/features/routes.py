"""Every feature's gidgethub ``Router``, composed once: what the server and the Action dispatch
deliveries to; and the features that act on the reconciler's sweeps alone, imported here so
that their timers register."""

from gidgethub import routing

import bot.features.check as check
import bot.features.commands as commands
import bot.features.dashboard as dashboard
import bot.features.decisions as decisions
import bot.features.digest as digest
import bot.features.installation as installation
import bot.features.numbering as numbering
import bot.features.staleness as staleness

router = routing.Router(
    check.router,
    commands.router,
    decisions.router,
    numbering.router,
    installation.router,
    dashboard.router,
)

# Timers only (``bot.features.timers``): no event of their own.
TIMED = (staleness.sweep_repository, digest.sweep_repository)
