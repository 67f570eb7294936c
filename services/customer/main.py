"""The customer service's HTTP app: `uvicorn services.customer.main:app`."""
from services.customer.api import auth, customers
from services.customer.config import Settings
from shared.app import create_service_app


def create_app(settings: Settings | None = None):
    return create_service_app(settings or Settings(), title="Customer service", routers=[auth.router, customers.router])


app = create_app()
