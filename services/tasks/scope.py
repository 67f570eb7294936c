"""Data scope on tasks: an RM their own, a lead the team's, heads/risk/audit their unit subtree."""
from sqlalchemy import false, or_, true

from services.tasks.models import Task
from shared.auth import Principal


def visible_tasks(p: Principal):
    if p.has("admin"):
        return true()
    subtree = p.subtree(Task.unit_path)
    if "/" not in p.unit_path:  # head office also holds the queue of customers no unit knows yet
        subtree = or_(subtree, Task.unit_path == "")
    clauses = []
    if p.has("branch_head", "risk_manager", "auditor"):
        clauses.append(subtree)
    if p.has("team_lead"):
        clauses.append(Task.assignee.is_(None) & subtree)  # the unit's unassigned queue
        if p.team:
            clauses.append(Task.team == p.team)
    if p.has("rm"):
        clauses.append(Task.assignee == p.username)
    return or_(*clauses) if clauses else false()
