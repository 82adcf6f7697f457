"""The simulator's routes, grouped by GitHub resource; sandbox/routes/table.py lists them all."""
