"""Who may see and do what. Scorecards: their own; a team lead their team; branch heads, risk managers and
auditors their unit subtree; admins everyone. Teams and units come from the staff.changed projection.
Anyone else's card is 404, as for customers: existence is private. Decisions: the predicates below,
used by the routes and the service functions alike."""
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.models import StaffMember
from shared.auth import Principal
from shared.errors import Problem

SUBTREE_ROLES = ("branch_head", "risk_manager", "auditor")


def sees_everyone(user: Principal) -> bool:
    return user.has("admin")


def may_close(user: Principal) -> bool:
    """Close, publish and sign off a period: the month is the whole bank's, so it takes the bank level
    (an admin, or a head of the head office); a branch head alone would freeze the other branches."""
    return user.has("admin") or (user.has("branch_head") and "/" not in user.unit_path)


def oversees(evaluator: StaffMember, subject: StaffMember) -> bool:
    """A qualitative evaluator stands in the subject's chain: their team's lead, a branch head above their
    unit, an admin; never the subject themself, never someone inactive."""
    if evaluator.username == subject.username or not evaluator.active:
        return False
    if "admin" in evaluator.roles:
        return True
    if "team_lead" in evaluator.roles and evaluator.team is not None and evaluator.team == subject.team:
        return True
    above = subject.unit_path == evaluator.unit_path or subject.unit_path.startswith(evaluator.unit_path + "/")
    return "branch_head" in evaluator.roles and above


def may_adjust(user: Principal) -> bool:
    """Adjust a closed card (never one's own: the service refuses that whatever the role)."""
    return user.has("team_lead", "branch_head", "admin")


def may_decide_bottom_flag(user: Principal) -> bool:
    """Confirm or clear a 末尾淘汰 proposal: the lead and the branch head decide, nobody else."""
    return user.has("team_lead", "branch_head")


def may_version_kpis(user: Principal) -> bool:
    return user.has("admin")


def may_set_targets(user: Principal, level: str) -> bool:
    """A team lead breaks the team's target down to its RMs only."""
    return user.has("admin", "branch_head") or (level == "rm" and user.has("team_lead"))


def may_plan_scoring(user: Principal) -> bool:
    return user.has("admin", "branch_head", "team_lead")


def may_record_responsibility(user: Principal) -> bool:
    return user.has("risk_manager", "branch_head", "admin")


def may_decide_case(user: Principal) -> bool:
    """Confirm or reject an NPL responsibility case: the branch head (the service also refuses anyone named)."""
    return user.has("branch_head")


def may_read_cases(user: Principal) -> bool:
    return user.has("branch_head", "risk_manager", "auditor", "admin")


def may_read_audit(user: Principal) -> bool:
    return user.has("auditor", "admin", "branch_head", "team_lead")


def require(allowed: bool) -> None:
    if not allowed:
        raise Problem(403, "forbidden")


def covers(user: Principal, member: StaffMember | None, username: str) -> bool:
    if username == user.username or sees_everyone(user):
        return True
    if member is None:
        return False
    if user.has("team_lead") and user.team and member.team == user.team:
        return True
    return user.has(*SUBTREE_ROLES) and user.covers_unit(member.unit_path)


async def require_visible(session: AsyncSession, user: Principal, username: str) -> StaffMember | None:
    member = await session.get(StaffMember, username)
    if not covers(user, member, username):
        raise Problem(404, "not_found")
    return member


def in_unit(member: StaffMember, unit: str | None) -> bool:
    return unit is None or member.unit == unit or f"/{unit}/" in f"/{member.unit_path}/"


async def visible_people(session: AsyncSession, user: Principal, unit: str | None = None) -> set[str] | None:
    """RMs in scope (None: every one, for an admin without a unit filter); an RM always sees themself."""
    if sees_everyone(user) and unit is None:
        return None
    staff = (await session.exec(select(StaffMember))).all()
    people = {s.username for s in staff if "rm" in s.roles and covers(user, s, s.username) and in_unit(s, unit)}
    return people | ({user.username} if user.has("rm") and unit is None else set())
