"""The live dashboard served by the App behind GitHub sign-in (docs/dashboard.md)."""
