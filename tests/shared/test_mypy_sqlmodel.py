"""The mypy plugin of make lint (tools/mypy_sqlmodel.py): a table model's field read on the class is a
column to build queries with, read on a row it keeps its own type, and a model without a table is left
alone."""
import textwrap
from pathlib import Path

from mypy import api

ROOT = Path(__file__).parents[2]
MODULE = textwrap.dedent('''
    from sqlmodel import Field, SQLModel, select

    class LoanBase(SQLModel):
        loan_id: str = Field(primary_key=True)

    class Loan(LoanBase, table=True):
        __tablename__ = "loan"
        outstanding: int = 0

    class LoanPublic(LoanBase):
        pass

    def query(row: Loan) -> None:
        select(Loan).where(Loan.loan_id.in_(["L1"]), Loan.outstanding > 0).order_by(Loan.loan_id.desc())
        row.loan_id.in_(["L1"])
        LoanPublic.loan_id.in_(["L1"])
''')


def test_fields_are_columns_on_a_table_models_class_only(tmp_path):
    (tmp_path / "loans.py").write_text(MODULE)
    out, _, _ = api.run([str(tmp_path / "loans.py"), "--config-file", str(ROOT / "pyproject.toml"),
                         "--cache-dir", str(tmp_path / "cache")])
    errors = [line.split(": error: ")[1] for line in out.splitlines() if ": error: " in line]
    assert errors == ['"str" has no attribute "in_"  [attr-defined]'] * 2, out
    lines = [int(line.split(":")[1]) for line in out.splitlines() if ": error: " in line]
    assert lines == [16, 17], out   # the row's field and the schema's, not the query on the table
