"""The two kinds of failure, kept apart.

- ``UserError``: a problem the user can fix, told on the pull request in plain words; never
  logged as a failure of the App.
- ``PayloadError``: a signed delivery or an API answer that does not have the shape GitHub
  documents; the delivery is logged with its id and ignored, never half-handled.

Anything else is internal: logged in full, counted, and never shown with a traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem to tell the user on the pull request (not logged as a failure)."""


class PayloadError(ValueError):
    """JSON from GitHub without the shape the App relies on (field path and what was wrong)."""
