"""Task rules: what a banking fact asks of the RM and by when. Numbers are the domain's defaults."""
from dataclasses import dataclass
from datetime import date, timedelta

from services.tasks.calendar import BusinessCalendar


@dataclass(frozen=True)
class LoanDueRule:
    """到期催收: collection notice + company check ahead of a loan's due date."""
    name: str = "loan_due"
    version: int = 1
    kind: str = "collection"
    lead_days: int = 30
    lead_days_government: int = 60   # government-related borrowers need longer to arrange repayment
    priority: int = 2

    def lead_for(self, government_related: bool) -> int:
        return self.lead_days_government if government_related else self.lead_days

    def due_date(self, calendar: BusinessCalendar, loan_due: date, government_related: bool, business_date: date) -> date:
        """lead days before the loan's due date, moved back to a business day so it is never late;
        a loan already closer than that is due on the first business day from today."""
        target = calendar.on_or_before(loan_due - timedelta(days=self.lead_for(government_related)))
        return max(target, calendar.on_or_after(business_date))


LOAN_DUE = LoanDueRule()
