"""Placeholder: being written. Exposes `router`."""

from gidgethub import routing

router = routing.Router()
