"""The home screen's alerts: overdue loans, escalations to the caller, and overdue work — from the agenda."""
from datetime import date

from services.gateway.home import _alerts

DAY = date(2026, 11, 25)


def item(n, rule="loan_due", due="2026-11-25", assignee="lead01", escalated_to=None):
    return {"id": f"t{n}", "title": f"task {n}", "cif": "C1", "rule": rule, "due_date": due, "assignee": assignee,
            "escalated_to": escalated_to}


def test_alerts_name_overdue_loans_escalations_and_late_work_and_skip_work_due_today():
    agenda = {"items": [item(1, rule="loan_overdue", due="2026-11-25"),
                        item(2, due="2026-11-20", assignee="rm01", escalated_to="lead01"),
                        item(3, due="2026-11-22"),
                        item(4, due="2026-11-25")]}
    alerts = _alerts(agenda, None, DAY, "lead01")
    assert [(a.kind, a.task_id, a.days_overdue, a.assignee) for a in alerts.items] == [
        ("loan_overdue", "t1", 0, None), ("task_escalated", "t2", 5, "rm01"), ("task_overdue", "t3", 3, None)]


def test_a_premium_customer_without_a_b_manager_is_an_alert_on_the_leads_home_before_it_is_due():
    agenda = {"items": [item(1, rule="b_manager_missing", due="2026-11-30"), item(2, due="2026-11-30")]}
    alerts = _alerts(agenda, None, DAY, "lead01")
    assert [(a.kind, a.task_id, a.days_overdue) for a in alerts.items] == [("b_manager_missing", "t1", 0)]


def test_without_the_tasks_service_alerts_are_marked_unavailable():
    alerts = _alerts(None, "circuit_open", DAY, "lead01")
    assert alerts.status == "unavailable" and alerts.reason == "circuit_open" and alerts.items == []


def test_an_alert_names_the_customer_beside_the_cif():
    overdue = {**item(1, rule="loan_overdue"), "customer_name": "华东机电有限公司"}
    [alert] = _alerts({"items": [overdue]}, None, DAY, "lead01").items
    assert (alert.cif, alert.customer_name) == ("C1", "华东机电有限公司")
