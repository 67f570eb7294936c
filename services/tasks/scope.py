"""Who may see and do what with tasks: the scope filter the lists use (an RM their own, a lead the
team's, the unit's queue and the queue of unknown customers, heads/risk/audit their unit subtree) and the role predicates the routes
and service functions ask."""
from sqlalchemy import false, or_, true

from services.tasks.models import Appointment, AuditEntry, StaffEntry, Task
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
        # the unit's unassigned queue, and the queue of customers no unit knows yet: core banking's events
        # carry no branch code, so a CIF nobody registered has no unit, and every lead (who can register or
        # claim it) sees it rather than only head office (domain.md: never on the floor)
        clauses.append(Task.assignee.is_(None) & or_(subtree, Task.unit_path == ""))
        if p.team:
            clauses.append(Task.team == p.team)
    if p.has("rm"):
        clauses.append(Task.assignee == p.username)
    return or_(*clauses) if clauses else false()


def may_administer(p: Principal) -> bool:
    """Rules' numbers and the business calendar."""
    return p.has("admin")


def may_assign_adhoc(p: Principal) -> bool:
    return p.has("team_lead", "branch_head", "admin")


def assigns_in_own_team_only(p: Principal) -> bool:
    """A team lead (without a wider role) gives ad-hoc tasks to their own team only."""
    return p.has("team_lead") and not p.has("branch_head", "admin")


def may_assign_to(p: Principal, staff: StaffEntry) -> bool:
    """An ad-hoc task goes to an active member of staff in the assigner's scope: a team lead's own team,
    a branch head's unit subtree, anyone for an admin."""
    if not staff.active:
        return False
    if assigns_in_own_team_only(p):
        return staff.team is not None and staff.team == p.team
    return p.has("admin") or p.covers_unit(staff.unit_path)


def may_see_customer(p: Principal, unit_path: str) -> bool:
    return p.has("admin") or p.covers_unit(unit_path)


def may_act_on(p: Principal, task: Task) -> bool:
    """Start or complete: the assignee, whoever it was escalated to or copied to (a co-owner: the outlet head
    leads the maintenance plans, the risk manager co-owns collections), the team's lead, an admin."""
    return (task.assignee == p.username or task.escalated_to == p.username or task.copied_to == p.username
            or (p.has("team_lead") and task.team == p.team) or p.has("admin"))


def may_read_audit(p: Principal) -> bool:
    """The trail of writes: auditors their unit subtree, admins all of it."""
    return p.has("auditor", "admin")


def visible_audit(p: Principal):
    return true() if p.has("admin") else p.subtree(AuditEntry.unit_path)


def may_cancel(p: Principal) -> bool:
    return p.has("team_lead", "admin")


def may_see_team_agenda(p: Principal, team_id: str) -> bool:
    return p.has("admin", "branch_head") or (p.has("team_lead") and p.team == team_id)


def visible_appointments(p: Principal):
    """An RM their own, a lead the team's, heads/risk/audit their unit subtree, an admin all."""
    if p.has("admin"):
        return true()
    clauses = []
    if p.has("branch_head", "risk_manager", "auditor"):
        clauses.append(p.subtree(Appointment.unit_path))
    if p.has("team_lead") and p.team:
        clauses.append(Appointment.team == p.team)
    if p.has("rm"):
        clauses.append(Appointment.rm == p.username)
    return or_(*clauses) if clauses else false()


def keeps_a_day(p: Principal) -> bool:
    """Plans a day, books appointments and writes summaries for themself."""
    return p.has("rm")


def may_book(p: Principal) -> bool:
    """An RM books their own appointments; a lead books for an RM of the team."""
    return p.has("rm", "team_lead", "admin")


def may_book_for(p: Principal, staff: StaffEntry | None) -> bool:
    return p.has("admin") or (staff is not None and p.has("team_lead") and staff.team == p.team)


def may_change_appointment(p: Principal, row: Appointment) -> bool:
    return row.rm == p.username or (p.has("team_lead") and row.team == p.team) or p.has("admin")


def leads_summaries(p: Principal) -> bool:
    """Reads the team's summaries and who has not submitted."""
    return p.has("team_lead", "branch_head", "admin")


def may_read_summaries_of(p: Principal, staff: StaffEntry) -> bool:
    return (p.has("admin") or (p.has("branch_head") and p.covers_unit(staff.unit_path))
            or (p.has("team_lead") and staff.team == p.team))
