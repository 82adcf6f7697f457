"""The simulator's HTTP layer: the request pipeline, authentication, faults and rate limits."""
