"""``python -m tests.e2e.shifted_app serve``: the App in a process of its own whose clock runs
``APP_CLOCK_AHEAD_SECONDS`` ahead of the machine's, for a test that restarts the App "later"
(the simulator's clock is moved ahead by as much). One serving process only: workers would
start on the machine's clock again."""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta

import bot.clock

AHEAD = timedelta(seconds=float(os.environ.get("APP_CLOCK_AHEAD_SECONDS", "0")))
machine_clock = bot.clock.system_clock


def shifted_clock() -> datetime:
    return machine_clock() + AHEAD


# Before anything else of the App is imported: every default clock is bound to this one.
bot.clock.system_clock = shifted_clock

from bot.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
