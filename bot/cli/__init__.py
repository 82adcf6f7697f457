"""The ``rfc-bot`` command line (``bot.cli.program``), one module per command or group."""

from bot.cli.program import main

__all__ = ["main"]
