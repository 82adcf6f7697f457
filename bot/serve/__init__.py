"""The webhook server's runtime: the app, its intake and dispatch, its processes."""
