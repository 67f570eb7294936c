"""The problem answers each gateway operation can give (by operationId), read from the code by
`python -m tools.problems`: do not edit by hand; tests/shared/test_problem_docs.py checks it
against what the routes raise."""
ANSWERS: dict[str, tuple[int, ...]] = {
    "customers-customer_overview": (401, 503),
    "health-healthz": (422,),
    "me-my_home": (401,),
}
