"""The only code that talks to GitHub: App auth, token cache, retries, typed calls."""
