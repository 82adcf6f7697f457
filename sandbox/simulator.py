"""An in-memory GitHub for end-to-end tests, benchmarks and the demo.

``Simulator`` is an aiohttp server on loopback that answers the REST operations the App uses
with GitHub's semantics and error shapes, checks every request against GitHub's official
OpenAPI description (``sim.violations``) and builds webhook payloads from real examples whose
fields match its state. See docs/simulator.md.

It is put together from one class per concern: the state and its shared rules
(sandbox/github.py), the HTTP server (sandbox/server/) answering through the route table
(sandbox/routes/table.py), and the scenario API that tests call (sandbox/scenario/).
"""

from __future__ import annotations

from sandbox.scenario.apps import AppScenes
from sandbox.scenario.people import PeopleScenes
from sandbox.scenario.reading import StateReading
from sandbox.scenario.repos import RepoScenes
from sandbox.scenario.traffic import TrafficControls
from sandbox.scenario.webhooks import Webhooks


class Simulator(RepoScenes, PeopleScenes, AppScenes, StateReading, Webhooks, TrafficControls):
    """One simulated GitHub: ``await sim.start()`` serves it, the methods set and read the
    scene (``Simulator(app_id=..., app_slug=..., rate_limit=...)``)."""
