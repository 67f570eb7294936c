"""What every service needs and nothing more: settings base, database session, event envelope and
event types, outbox, idempotent consumer, auth token verification, problem+json errors, logging."""
