"""Data scope on customers: who may see and change which customers (domain.md, "Who uses it")."""
from sqlalchemy import false, or_, true

from services.customer.models import Customer
from shared.auth import Principal

WRITERS = ("rm", "team_lead", "branch_head", "admin")  # risk managers and auditors read only
APPROVERS = ("team_lead", "branch_head", "admin")      # may move customers and decide transfer requests


def visible_customers(p: Principal):
    """A WHERE clause: an RM their own book (A or B), a lead the team's, heads/risk/audit the unit subtree."""
    if p.has("admin"):
        return true()
    clauses = []
    if p.has("branch_head", "risk_manager", "auditor"):
        clauses.append(p.subtree(Customer.unit_path))
    if p.has("team_lead") and p.team:
        clauses += [Customer.owner_team == p.team, Customer.backup_team == p.team]
    if p.has("rm"):
        clauses += [Customer.owner == p.username, Customer.backup_owner == p.username]
    return or_(*clauses) if clauses else false()


def may_write(p: Principal) -> bool:
    return p.has(*WRITERS)
