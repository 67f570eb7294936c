"""GET /api/v1/customers/{customer_id}/overview: the customer 360 in one call, composed like /me/home.

The customer service answers the customer's part (profile, holdings summary, owners, latest
interactions, contacts) and decides the scope: its 404 (outside scope looks exactly like absent), 401
or 422 goes back to the app as it came. The open tasks come from the tasks service at the same time;
when it is down only that part says `{"status": "unavailable"}` and the 360 still answers 200.
"""
import asyncio
import json
import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import Field

from services.gateway.home import Part, fetch_json
from services.gateway.proxy import conditional, unavailable, upstream_headers
from services.gateway.upstreams import Upstreams, UpstreamUnavailable
from shared.errors import Problem

router = APIRouter(tags=["customers"])
PATH = "/api/v1/customers/{customer_id}/overview"
OPEN = ("open", "in_progress")
TASKS_SHOWN = 50


class OpenTasksPart(Part):
    items: list[dict] = Field(default_factory=list, description="the customer's open and started tasks the caller "
                                                                "may see, soonest due first")


OVERVIEW_SCHEMA = {"allOf": [
    {"$ref": "#/components/schemas/CustomerOverview"},
    {"type": "object", "required": ["open_tasks"],
     "properties": {"open_tasks": OpenTasksPart.model_json_schema(ref_template="#/components/schemas/{model}")}}]}


async def _open_tasks(upstreams: Upstreams, customer_id: uuid.UUID, headers) -> OpenTasksPart:
    answers = await asyncio.gather(*(fetch_json(upstreams, "tasks", f"/api/v1/tasks?customer_id={customer_id}&status={s}"
                                          f"&limit={TASKS_SHOWN}", headers) for s in OPEN))
    failed = next((reason for page, reason in answers if page is None), None)
    if failed:
        return OpenTasksPart(status="unavailable", service="tasks", reason=failed)
    # the customer's own: a tasks service that does not filter by customer_id must not show others' tasks
    items = [t for page, _ in answers for t in (page or {})["items"] if t.get("customer_id") == str(customer_id)]
    return OpenTasksPart(status="ok", service="tasks", items=sorted(items, key=lambda t: (t["due_date"], t["id"])))


@router.get(PATH, summary="客户360视图（一次调用）", responses={
    200: {"description": "the customer 360 with its open tasks", "content": {"application/json": {
        "schema": OVERVIEW_SCHEMA}}},
    401: {"description": "not signed in"}, 404: {"description": "no such customer in the caller's scope"}})
async def customer_overview(request: Request, customer_id: uuid.UUID) -> Response:
    if request.scope.get("principal") is None:
        raise Problem(401, "unauthorized", headers={"WWW-Authenticate": "Bearer"})
    upstreams: Upstreams = request.app.state.upstreams
    headers = upstream_headers(request.scope)

    async def customer_part():
        try:
            return await upstreams.call("customer", "GET", f"/api/v1/customers/{customer_id}/overview", headers)
        except UpstreamUnavailable as err:
            return err
    reply, tasks = await asyncio.gather(customer_part(), _open_tasks(upstreams, customer_id, headers))
    if isinstance(reply, UpstreamUnavailable):   # no scope decision without the customer service
        return unavailable(request, reply)
    if reply.status != 200:
        kept = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in reply.raw_headers
                if k in (b"content-type", b"www-authenticate", b"retry-after")]
        return Response(reply.body, status_code=reply.status, headers=dict(kept))
    body = {**json.loads(reply.body), "open_tasks": tasks.model_dump(mode="json")}
    return conditional(request, 200, json.dumps(body, ensure_ascii=False).encode(), [],
                       media_type="application/json")
