"""rfc-bot: a GitHub App that governs RFC pull requests."""

__version__ = "0.1.0"

# The project's home: SARIF rules link to their entry in docs/rules.md here. The same URL is
# the App's homepage in app.yml (a test keeps the two equal); a fork changes both.
PROJECT_URL = "https://github.com/octo-org/rfc-bot"
RULES_DOC_URL = f"{PROJECT_URL}/blob/main/docs/rules.md"
