"""rfc-bot: a GitHub App that governs RFC pull requests."""

__version__ = "0.1.0"
