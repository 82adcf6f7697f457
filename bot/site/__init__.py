"""The static RFC site: ``rfc-bot site`` (see docs/site.md)."""
