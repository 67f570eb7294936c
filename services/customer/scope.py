"""Who may see and do what in the customer service (domain.md, "Who uses it"): the role predicates the
routes and service functions ask, and the WHERE clauses that limit reads to the caller's scope."""
from sqlalchemy import and_, false, or_, select, true

from services.customer.models import (
    ClaimRefusal,
    Complaint,
    CreditApplication,
    Customer,
    Interaction,
    MarketingResult,
    TransferRequest,
)
from shared.auth import Principal

WRITERS = ("rm", "team_lead", "branch_head", "admin")  # risk managers and auditors read only
APPROVERS = ("team_lead", "branch_head", "admin")      # may move customers and decide transfer requests
SERVERS = ("rm", "team_lead", "branch_head")           # serve the customer: log contacts, see full PII
# spot-check the work log (不定期抽查): the lead, the branch head, the credit deputy head where there is one
CHECKERS = ("team_lead", "branch_head", "credit_deputy_head")
LATE_ENTRY_APPROVERS = ("team_lead", "branch_head")    # let an interaction logged late count
AUDIT_READERS = ("auditor", "admin")
CREDIT_REVIEWERS = ("credit_reviewer",)             # the credit department (审查), never marketing


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


def _mine_team_subtree(p: Principal, mine, team, unit_path, heads=("branch_head", "auditor")):
    """Requesters / claimants see theirs; leads their team's; heads, auditors and admins their subtree."""
    if p.has("admin"):
        return true()
    clauses = [mine == p.username]
    if p.has("team_lead") and p.team:
        clauses.append(team == p.team)
    if p.has(*heads):
        clauses.append(p.subtree(unit_path))
    return or_(*clauses)


def visible_requests(p: Principal):
    """Transfer requests: as _mine_team_subtree, and the RM a request is addressed to (it is theirs to expect)."""
    return or_(_mine_team_subtree(p, TransferRequest.requested_by, TransferRequest.team, TransferRequest.unit_path),
               TransferRequest.to_owner == p.username)


def visible_refusals(p: Principal):
    return _mine_team_subtree(p, ClaimRefusal.claimant, ClaimRefusal.claimant_team, ClaimRefusal.unit_path)


def may_file_credit(p: Principal) -> bool:
    """Open a loan file and add its documents: those who serve customers."""
    return p.has(*SERVERS)


def may_cosign_credit(p: Principal) -> bool:
    """双签: the risk manager co-signs the RM's submission."""
    return p.has("risk_manager")


def may_record_credit_review(p: Principal) -> bool:
    """Enter the credit department's decisions: its reviewers alone (审贷分离: never marketing)."""
    return p.has(*CREDIT_REVIEWERS)


CONTROL_READERS = ("branch_head", "risk_manager", "auditor")


def visible_controls(p: Principal, model):
    """Credit files and complaints: an RM their own customers', a lead the team's, heads, risk and audit
    their unit subtree, an admin all."""
    return _mine_team_subtree(p, model.rm, model.team, model.unit_path, CONTROL_READERS)


def visible_credit(p: Principal):
    """Credit files: as visible_controls, and the credit department's reviewers their unit subtree."""
    return _mine_team_subtree(p, CreditApplication.rm, CreditApplication.team, CreditApplication.unit_path,
                              CONTROL_READERS + CREDIT_REVIEWERS)


def may_file_complaint(p: Principal) -> bool:
    return p.has(*SERVERS)


def may_run_audit(p: Principal) -> bool:
    """离岗审计 and 常规稽核 are the auditors' work, never the lead's."""
    return p.has("auditor")


def may_record_qualification(p: Principal) -> bool:
    """Qualification records: an admin, or a branch head for the staff of their subtree."""
    return p.has("admin", "branch_head")


def may_record_conduct(p: Principal) -> bool:
    """Refusals, hosting reports, outside-service requests, commitment letters: staff who serve customers."""
    return p.has(*SERVERS)


def conduct_deciders(kind: str, deputy_in_charge: bool) -> tuple[str, ...]:
    """Who approves a conduct record waiting for a decision: service outside the bank (上门服务) the deputy
    head in charge (分管行长), the branch head where the unit has no such deputy; over-budget hosting the
    branch head."""
    if kind == "outside_service" and deputy_in_charge:
        return ("deputy_head",)
    return ("branch_head",)


def may_decide_conduct(p: Principal, kind: str, deputy_in_charge: bool) -> bool:
    return p.has(*conduct_deciders(kind, deputy_in_charge))


def visible_conduct(p: Principal, model):
    """Conduct records: one's own; a lead the team's; heads (the deputy head in charge too) and auditors
    their subtree; an admin all."""
    return _mine_team_subtree(p, model.staff, model.team, model.unit_path, ("branch_head", "deputy_head", "auditor"))



def may_call_back(p: Principal) -> bool:
    """Independent call-backs: leads and heads (service roles), never the customer's own managers."""
    return p.has("team_lead", "branch_head")


def visible_complaints(p: Principal):
    """Whoever may see the customer's complaints, plus the handler and the head it went up to — but
    never the staff member a complaint is about."""
    seen = or_(visible_controls(p, Complaint), Complaint.handler == p.username, Complaint.escalated_to == p.username)
    not_mine = true() if p.has("admin") else or_(Complaint.about.is_(None), Complaint.about != p.username)
    return and_(seen, not_mine)
def registers_results(p: Principal) -> bool:
    """The RM registers the day's marketing results (登记每日营销业绩)."""
    return p.has("rm")


def checks_results(p: Principal) -> bool:
    """The lead confirms the results no core-banking event can (card issuance, insurance, funds)."""
    return p.has("team_lead", "branch_head", "admin")


def visible_results(p: Principal):
    """An RM their own, a lead the team's, heads/risk/audit their unit subtree, an admin all."""
    if p.has("admin"):
        return true()
    clauses = [MarketingResult.rm == p.username]
    if p.has("team_lead") and p.team:
        clauses.append(MarketingResult.team == p.team)
    if p.has("branch_head", "risk_manager", "auditor"):
        clauses.append(p.subtree(MarketingResult.unit_path))
    return or_(*clauses)
