"""The scenario API: what tests call to set a scene and read it back, one concern a module."""
