"""KPI definition versions: the set a period scores with (the newest effective by its month, else the
defaults in rules.py) and an admin's new version, checked before it is saved."""
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.appraisal.models import KpiVersion
from services.appraisal.rules import DEFAULT_KPIS, first_month, validate_definitions
from services.appraisal.service.audit import audit
from services.appraisal.texts import kpi_problems
from shared.auth import Principal
from shared.errors import Problem


async def kpi_set(session: AsyncSession, period: str) -> tuple[int, list[dict]]:
    """A quarter or a year scores with the version in force at its first month: the rules known when it began."""
    row = (await session.exec(select(KpiVersion).where(KpiVersion.effective_from <= first_month(period))
                              .order_by(KpiVersion.version.desc()).limit(1))).first()
    return (row.version, row.definitions) if row else (0, DEFAULT_KPIS)


async def save_kpi_set(session: AsyncSession, actor: Principal, effective_from: str,
                       definitions: list[dict]) -> KpiVersion:
    """A set that passes validation can be scored: a bad one would break every card of every period it covers."""
    problems = validate_definitions(definitions)
    if problems:
        raise Problem(422, "invalid_kpis", field="definitions", problems=kpi_problems(problems))
    latest = (await session.exec(select(func.max(KpiVersion.version)))).one() or 0
    row = KpiVersion(version=latest + 1, effective_from=effective_from, definitions=definitions,
                     created_by=actor.username)
    session.add(row)
    await audit(session, actor.username, "kpi.versioned", f"v{row.version}", effective_from=effective_from)
    return row
