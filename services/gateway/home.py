"""GET /api/v1/me/home: the app's first screen in one call, assembled concurrently from the services.

Each part says whether it is there: a service that is down (or whose breaker is open) turns only its
own part into `{"status": "unavailable"}`, and the screen still answers 200. Alerts a later issue
will feed (overdue loans from the customer service's holdings, escalations) are listed as
`not_yet_available` rather than silently missing.
"""
import asyncio
import json
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from services.gateway.proxy import conditional, upstream_headers
from services.gateway.upstreams import UpstreamUnavailable, Upstreams
from shared.clock import business_today
from shared.errors import Problem

router = APIRouter(tags=["me"])
TOP_ITEMS = 5
NOT_YET_AVAILABLE = ["loan_overdue", "task_escalated"]


class Part(BaseModel):
    status: Literal["ok", "unavailable"]
    service: str
    reason: str | None = Field(None, description="why the part is unavailable (down, timeout, circuit_open, http_NNN)")


class AgendaPart(Part):
    date: date
    total: int = 0
    items: list[dict[str, Any]] = Field(default_factory=list, description=f"the top {TOP_ITEMS} agenda items")


class ScorecardPart(Part):
    period: str | None = None
    total: str | None = None
    grade: str | None = None
    kpi_count: int = 0


class Alert(BaseModel):
    kind: Literal["task_overdue"]
    task_id: str
    title: str
    cif: str | None
    days_overdue: int


class AlertsPart(Part):
    items: list[Alert] = Field(default_factory=list)
    not_yet_available: list[str] = Field(default_factory=lambda: list(NOT_YET_AVAILABLE))


class Home(BaseModel):
    username: str
    date: date
    agenda: AgendaPart
    scorecard: ScorecardPart
    alerts: AlertsPart


async def _get(upstreams: Upstreams, service: str, path_qs: str, headers: dict) -> tuple[dict | None, str | None]:
    try:
        reply = await upstreams.call(service, "GET", path_qs, headers)
    except UpstreamUnavailable as err:
        return None, err.kind
    if reply.status != 200:
        return None, f"http_{reply.status}"
    return json.loads(reply.body), None


def _alerts(agenda: dict | None, reason: str | None, day: date) -> AlertsPart:
    if agenda is None:
        return AlertsPart(status="unavailable", service="tasks", reason=reason)
    overdue = [i for i in agenda["items"] if date.fromisoformat(i["due_date"]) < day]
    return AlertsPart(status="ok", service="tasks", items=[
        Alert(kind="task_overdue", task_id=i["id"], title=i["title"], cif=i.get("cif"),
              days_overdue=(day - date.fromisoformat(i["due_date"])).days) for i in overdue])


@router.get("/api/v1/me/home", response_model=Home, responses={401: {"description": "not signed in"}})
async def my_home(request: Request, day: Annotated[date | None, Query(
        alias="date", description="business date; default today in Beijing time")] = None) -> Response:
    """Today's agenda (top items), the scorecard summary and alerts, in one call."""
    principal = request.scope.get("principal")
    if principal is None:
        raise Problem(401, "unauthorized", headers={"WWW-Authenticate": "Bearer"})
    day = day or business_today()
    upstreams: Upstreams = request.app.state.upstreams
    headers = upstream_headers(request)
    (agenda, agenda_err), (card, card_err) = await asyncio.gather(
        _get(upstreams, "tasks", f"/api/v1/me/agenda?date={day.isoformat()}", headers),
        _get(upstreams, "appraisal", f"/api/v1/appraisal/scorecards/{principal.username}?period={day:%Y-%m}", headers))
    home = Home(
        username=principal.username, date=day,
        agenda=AgendaPart(status="ok", service="tasks", date=day, total=len(agenda["items"]),
                          items=agenda["items"][:TOP_ITEMS]) if agenda is not None else
        AgendaPart(status="unavailable", service="tasks", reason=agenda_err, date=day),
        scorecard=ScorecardPart(status="ok", service="appraisal", period=card["period"], total=card["total"],
                                grade=card["grade"], kpi_count=len(card["kpis"])) if card is not None else
        ScorecardPart(status="unavailable", service="appraisal", reason=card_err),
        alerts=_alerts(agenda, agenda_err, day))
    return conditional(request, 200, home.model_dump_json().encode(), [], media_type="application/json")
