"""The customer service's domain operations, a module per thing owned. They stage rows, events and
audit entries in the caller's session and never commit: the route or the consumer does (one unit of work)."""
