"""The customer service's HTTP app: `uvicorn services.customer.main:app`."""
from services.customer import texts
from services.customer.api import admin, auth, customers, holdings, industry_policy, interactions, ownership
from services.customer.config import Settings
from shared.app import create_service_app


def create_app(settings: Settings | None = None):
    texts.register()
    return create_service_app(settings or Settings(), title="Customer service",
                              routers=[auth.router, customers.router, ownership.router, holdings.router,
                                       interactions.router, industry_policy.router, admin.router])


app = create_app()
