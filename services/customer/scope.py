"""Who may see and do what in the customer service (domain.md, "Who uses it"): the role predicates the
routes and service functions ask, and the WHERE clauses that limit reads to the caller's scope."""
from sqlalchemy import false, or_, select, true

from services.customer.models import ClaimRefusal, Customer, Interaction, TransferRequest
from shared.auth import Principal

WRITERS = ("rm", "team_lead", "branch_head", "admin")  # risk managers and auditors read only
APPROVERS = ("team_lead", "branch_head", "admin")      # may move customers and decide transfer requests
SERVERS = ("rm", "team_lead", "branch_head")           # serve the customer: log contacts, see full PII
# spot-check the work log (不定期抽查): the lead, the branch head, the credit deputy head where there is one
CHECKERS = ("team_lead", "branch_head", "credit_deputy_head")
LATE_ENTRY_APPROVERS = ("team_lead", "branch_head")    # let an interaction logged late count
AUDIT_READERS = ("auditor", "admin")


def may_write(p: Principal) -> bool:
    return p.has(*WRITERS)


def may_approve(p: Principal) -> bool:
    """Transfer customers, decide transfer requests, hand over a leaving RM's book."""
    return p.has(*APPROVERS)


def serves_customers(p: Principal) -> bool:
    """Logs interactions and may ask for unmasked ID numbers and phones (each read audited)."""
    return p.has(*SERVERS)


def may_spot_check(p: Principal) -> bool:
    return p.has(*CHECKERS)


def may_approve_late_entry(p: Principal) -> bool:
    return p.has(*LATE_ENTRY_APPROVERS)


def may_claim(p: Principal) -> bool:
    return p.has("rm")


def may_administer(p: Principal) -> bool:
    """Org units, teams and staff."""
    return p.has("admin")


def may_read_audit(p: Principal) -> bool:
    return p.has(*AUDIT_READERS)


def registers_only_for_self(p: Principal) -> bool:
    """An RM with no other role registers customers for their own book only."""
    return p.roles == ("rm",)


def leads(p: Principal, team: str | None, unit_path: str) -> bool:
    """The caller is over this member of staff: an admin anyone, a head their subtree, a lead their team."""
    return (p.has("admin") or (p.has("branch_head") and p.covers_unit(unit_path))
            or (p.has("team_lead") and team == p.team))


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


def visible_log(p: Principal):
    """Whose work log a caller reads: their own; a lead the team's; heads (the credit deputy head too),
    risk and audit their subtree."""
    if p.has("admin"):
        return true()
    clauses = [Interaction.rm == p.username]
    if p.has("team_lead") and p.team:
        clauses.append(Interaction.team == p.team)
    if p.has("branch_head", "credit_deputy_head", "risk_manager", "auditor"):
        clauses.append(Interaction.customer_id.in_(select(Customer.id).where(p.subtree(Customer.unit_path))))
    return or_(*clauses)


def _mine_team_subtree(p: Principal, mine, team, unit_path):
    """Requesters / claimants see theirs; leads their team's; heads, auditors and admins their subtree."""
    if p.has("admin"):
        return true()
    clauses = [mine == p.username]
    if p.has("team_lead") and p.team:
        clauses.append(team == p.team)
    if p.has("branch_head", "auditor"):
        clauses.append(p.subtree(unit_path))
    return or_(*clauses)


def visible_requests(p: Principal):
    return _mine_team_subtree(p, TransferRequest.requested_by, TransferRequest.team, TransferRequest.unit_path)


def visible_refusals(p: Principal):
    return _mine_team_subtree(p, ClaimRefusal.claimant, ClaimRefusal.claimant_team, ClaimRefusal.unit_path)
