"""The tasks service's domain operations, a module per concern. Nothing here commits: the route, the
consumer or the scheduler's day loop ends the unit of work."""
