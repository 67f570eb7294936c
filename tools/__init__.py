"""Developer tooling: the local stack (`make run`, end-to-end tests)."""
