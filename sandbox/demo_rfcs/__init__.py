"""RFC texts and repository files the demo seeds its simulated repository with."""
