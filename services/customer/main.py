"""The customer service's HTTP app: `uvicorn services.customer.main:app`."""
from services.customer import texts
from services.customer.api import (
    admin,
    audits,
    auth,
    callbacks,
    complaints,
    conduct,
    credit,
    customers,
    holdings,
    industry_policy,
    interactions,
    marketing,
    overview,
    ownership,
)
from services.customer.config import Settings
from services.customer.problems import ANSWERS
from shared.app import create_service_app


def create_app(settings: Settings | None = None):
    texts.register()
    return create_service_app(settings or Settings(), title="Customer service", problems=ANSWERS,
                              routers=[auth.router, customers.router, overview.router, ownership.router, holdings.router,
                                       interactions.router, industry_policy.router, admin.router, credit.router,
                                       complaints.router, audits.router, conduct.router,
                                       callbacks.router, marketing.router])


app = create_app()
