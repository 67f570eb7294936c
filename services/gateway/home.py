"""GET /api/v1/me/home: the app's first screen in one call, assembled concurrently from the services.

Each part says whether it is there: a service that is down (or whose breaker is open) turns only its
own part into `{"status": "unavailable"}`, and the screen still answers 200. Alerts come from the
agenda: an overdue loan is the tasks service's urgent collection task (rule loan_overdue, also
copied to the risk manager), an escalation is a task escalated to the caller, and any other task
past its due date is overdue work.
"""
import asyncio
import json
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from services.gateway.proxy import conditional, upstream_headers
from services.gateway.upstreams import Upstreams, UpstreamUnavailable
from shared.clock import business_today
from shared.errors import Problem

router = APIRouter(tags=["me"])
TOP_ITEMS = 5
NOT_YET_AVAILABLE: list[str] = []   # kept in the answer (additive contract); every alert kind is fed now


class Part(BaseModel):
    status: Literal["ok", "unavailable"]
    service: str
    reason: str | None = Field(None, description="why the part is unavailable (down, timeout, circuit_open, http_NNN)")


class AgendaPart(Part):
    date: date
    total: int = 0
    items: list[dict[str, Any]] = Field(default_factory=list, description=f"the top {TOP_ITEMS} agenda items")
    appointments: list[dict[str, Any]] = Field(default_factory=list, description="the day's appointments, by time")


class ScorecardPart(Part):
    # not_appraised: staff without a card (lead, risk, audit by default); the other parts stay ok / unavailable
    status: Literal["ok", "unavailable", "not_appraised"]  # type: ignore[assignment]
    period: str | None = None
    total: str | None = None
    grade: str | None = None
    kpi_count: int = 0


class Alert(BaseModel):
    kind: Literal["loan_overdue", "task_escalated", "task_overdue", "b_manager_missing"]
    task_id: str
    title: str
    cif: str | None
    customer_name: str | None = Field(None, description="the customer's name, beside the CIF")
    days_overdue: int
    assignee: str | None = Field(None, description="for an escalation: whose task it was")


class AlertsPart(Part):
    items: list[Alert] = Field(default_factory=list)
    not_yet_available: list[str] = Field(default_factory=lambda: list(NOT_YET_AVAILABLE))


class Home(BaseModel):
    username: str
    date: date
    agenda: AgendaPart
    scorecard: ScorecardPart
    alerts: AlertsPart


async def fetch_json(upstreams: Upstreams, service: str, path_qs: str,
               headers: list[tuple[bytes, bytes]]) -> tuple[dict | None, str | None]:
    try:
        reply = await upstreams.call(service, "GET", path_qs, headers)
    except UpstreamUnavailable as err:
        return None, err.kind
    if reply.status != 200:
        return None, f"http_{reply.status}"
    return json.loads(reply.body), None


def alert_kind(item: dict, username: str, day: date) -> str | None:
    if item.get("rule") in ("loan_overdue", "b_manager_missing"):   # an alert from the day it is raised
        return item["rule"]
    if item.get("escalated_to") == username and item.get("assignee") != username:
        return "task_escalated"
    return "task_overdue" if date.fromisoformat(item["due_date"]) < day else None


def _alerts(agenda: dict | None, reason: str | None, day: date, username: str) -> AlertsPart:
    if agenda is None:
        return AlertsPart(status="unavailable", service="tasks", reason=reason)
    items = []
    for i in agenda["items"]:
        kind = alert_kind(i, username, day)
        if kind:
            items.append(Alert(kind=kind, task_id=i["id"], title=i["title"], cif=i.get("cif"),
                               customer_name=i.get("customer_name"),
                               days_overdue=max(0, (day - date.fromisoformat(i["due_date"])).days),
                               assignee=i.get("assignee") if kind == "task_escalated" else None))
    return AlertsPart(status="ok", service="tasks", items=items)


def _scorecard(card: dict | None, reason: str | None) -> ScorecardPart:
    if card is None:
        return ScorecardPart(status="unavailable", service="appraisal", reason=reason)
    if card["status"] == "not_appraised":   # the appraisal service decides who is appraised; no card to show
        return ScorecardPart(status="not_appraised", service="appraisal", period=card["period"])
    return ScorecardPart(status="ok", service="appraisal", period=card["period"], total=card["total"],
                         grade=card["grade"], kpi_count=len(card["kpis"]))


@router.get("/api/v1/me/home", response_model=Home, responses={401: {"description": "not signed in"}})
async def my_home(request: Request, day: Annotated[date | None, Query(
        alias="date", description="business date; default today in Beijing time")] = None) -> Response:
    """Today's agenda (top items), the scorecard summary and alerts, in one call."""
    principal = request.scope.get("principal")
    if principal is None:
        raise Problem(401, "unauthorized", headers={"WWW-Authenticate": "Bearer"})
    day = day or business_today()
    upstreams: Upstreams = request.app.state.upstreams
    headers = upstream_headers(request.scope)
    (agenda, agenda_err), (card, card_err) = await asyncio.gather(
        fetch_json(upstreams, "tasks", f"/api/v1/me/agenda?date={day.isoformat()}", headers),
        fetch_json(upstreams, "appraisal", f"/api/v1/appraisal/scorecards/{principal.username}?period={day:%Y-%m}", headers))
    home = Home(
        username=principal.username, date=day,
        agenda=AgendaPart(status="ok", service="tasks", date=day, total=len(agenda["items"]),
                          items=agenda["items"][:TOP_ITEMS], appointments=agenda.get("appointments", []))
        if agenda is not None else
        AgendaPart(status="unavailable", service="tasks", reason=agenda_err, date=day),
        scorecard=_scorecard(card, card_err),
        alerts=_alerts(agenda, agenda_err, day, principal.username))
    return conditional(request, 200, home.model_dump_json().encode(), [], media_type="application/json")
