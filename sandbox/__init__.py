"""The GitHub simulator, its demo and the harness that serves the App against it.

Layers, each importing only those below it: ``simulator`` (the ``Simulator`` tests use) puts
together ``scenario/`` (what tests call to set a scene) and ``server/`` (the HTTP layer:
pipeline, authentication, faults, rate limits), which answers through ``routes/`` (one
module per GitHub resource, all listed in ``routes/table.py``); below them ``github`` (the
state and its shared rules), ``sim_events`` (webhook payloads), ``sim_render`` (REST JSON),
``sim_state`` (repositories and git objects) and ``openapi/`` (GitHub's REST description).
"""
