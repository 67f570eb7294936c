"""Demo org and staff of contract.md, written only into an empty database (`python -m services.customer.cli.seed`).

Staff are announced as `staff.changed` through the outbox like any other staff change, so the other
services learn the demo leads and grades the same way they learn real ones.
"""
import asyncio
from datetime import date, datetime, timedelta

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customer.config import Settings
from services.customer.models import OrgUnit, Staff, StaffQualification, Team
from services.customer.service.identity import hash_password
from services.customer.service.staff import announce_staff
from shared.clock import business_today, utcnow
from shared.db import make_engine, make_session_factory

DEMO_PASSWORD = "demo-password"
DEMO_EXAM, DEMO_VALIDITY = "客户经理岗位资质认证", timedelta(days=3 * 365)
UNITS = [("HQ", "总行", "head_office", None), ("BR01", "第一分行", "branch", "HQ"),
         ("SB01", "第一支行", "sub_branch", "BR01")]
TEAMS = [("T01", "对公一组", "SB01")]
STAFF = [  # username, name, roles, unit, team
    ("admin", "系统管理员", ["admin"], "HQ", None),
    ("branch01", "王行长", ["branch_head"], "BR01", None),
    ("lead01", "李主管", ["team_lead"], "SB01", "T01"),
    ("rm01", "张经理", ["rm"], "SB01", "T01"),
    ("rm02", "陈经理", ["rm"], "SB01", "T01"),
    ("risk01", "赵风险", ["risk_manager"], "BR01", None),
    ("audit01", "孙稽核", ["auditor"], "BR01", None),
    ("credit01", "周审查", ["credit_reviewer"], "BR01", None),
    ("vice01", "吴副行长", ["deputy_head"], "BR01", None),
]


async def seed_demo(session: AsyncSession, *, business_date: date | None = None, now: datetime | None = None) -> bool:
    """Returns False (and writes nothing) when the database already has staff."""
    business_date, now = business_date or business_today(), now or utcnow()  # a CLI: the edge of the system
    if (await session.exec(select(func.count()).select_from(Staff))).one():
        return False
    units: dict[str, OrgUnit] = {}
    for code, name, level, parent in UNITS:
        units[code] = OrgUnit(code=code, name=name, level=level, parent_code=parent,
                              path=f"{units[parent].path}/{code}" if parent else code)
        session.add(units[code])
        await session.flush()
    for code, name, unit in TEAMS:
        session.add(Team(code=code, name=name, unit_code=unit))
    await session.flush()
    password_hash = hash_password(DEMO_PASSWORD)
    for username, name, roles, unit, team in STAFF:
        staff = Staff(username=username, display_name=name, password_hash=password_hash, roles=roles,
                      unit_code=unit, team_code=team, grade="intermediate" if "rm" in roles else None)
        session.add(staff)
        announce_staff(session, staff, units[unit], business_date=business_date, now=now)
        if "rm" in roles:   # 岗位资质认证: the demo RMs passed the exam, so they may own customers
            session.add(StaffQualification(username=username, exam=DEMO_EXAM, passed_on=business_date - DEMO_VALIDITY,
                                           expires_on=business_date + DEMO_VALIDITY, recorded_by="admin",
                                           recorded_at=now))
    await session.commit()
    return True


async def main() -> None:
    engine = make_engine(Settings().database_url)
    async with make_session_factory(engine)() as session:
        print("seeded demo org and users" if await seed_demo(session) else "database not empty; seed skipped")
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
