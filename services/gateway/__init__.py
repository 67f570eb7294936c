"""API gateway: the one REST API the mobile apps see, routing to the services."""
