"""The problem answers each tasks operation can give (by operationId), read from the code by
`python -m tools.problems`: do not edit by hand; tests/shared/test_problem_docs.py checks it
against what the routes raise."""
ANSWERS: dict[str, tuple[int, ...]] = {
    "admin-change_rule": (401, 403, 404, 422),
    "admin-list_calendar": (401, 403),
    "admin-list_rules": (401, 403),
    "admin-set_calendar_day": (401, 403),
    "agenda-my_agenda": (401,),
    "agenda-my_upcoming_agenda": (401,),
    "agenda-team_agenda": (401, 404),
    "audit-audit_trail": (401, 403),
    "rm-day-book": (401, 403, 404, 409, 422),
    "rm-day-cancel": (401, 403, 404, 409),
    "rm-day-daily": (401, 403, 404),
    "rm-day-list_appointments": (401, 422),
    "rm-day-my_day_plan": (401, 403),
    "rm-day-put_day_plan": (401, 403, 404, 422),
    "rm-day-submit_daily": (401, 403),
    "rm-day-submit_weekly": (401, 403, 422),
    "rm-day-team_summaries": (401, 403, 404, 422),
    "rm-day-weekly": (401, 403, 404, 422),
    "tasks-assign_adhoc": (401, 403, 404, 422),
    "tasks-cancel": (401, 403, 404, 409),
    "tasks-complete": (401, 403, 404, 409, 422),
    "tasks-get_task": (401, 404),
    "tasks-list_tasks": (401, 422),
    "tasks-start": (401, 403, 404, 409),
}
