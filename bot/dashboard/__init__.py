"""The live dashboard served by the App: sign-in, sessions and its page."""
