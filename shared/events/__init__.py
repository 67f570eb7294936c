"""The event contract (docs/contract.md) as validated classes: topics, the envelope, core banking's types,
our services' own (additive), and parse_event. Import from here; the modules below say what they hold."""
from shared.events.appraisal import PeriodClosed, ScoringRequested
from shared.events.core_banking import (
                                        CORE_BANKING_TYPES,
                                        DepositChanged,
                                        DepositClosed,
                                        DepositOpened,
                                        FeePosted,
                                        LoanClassified,
                                        LoanDisbursed,
                                        LoanDue,
                                        LoanOverdue,
                                        LoanRepaid,
)
from shared.events.customer import (
                                        CustomerAssigned,
                                        CustomerChanged,
                                        CustomerContactChanged,
                                        CustomerRegistered,
                                        CustomerTierChanged,
                                        CustomerWon,
                                        InteractionLogged,
                                        SessionRevoked,
                                        StaffChanged,
)
from shared.events.envelope import Envelope, EventData, envelope_for
from shared.events.parsing import EVENT_TYPES, InvalidEvent, parse_event
from shared.events.rm_day import MarketingResultConfirmed, MarketingResultRegistered
from shared.events.tasks import CalendarChanged, TaskCancelled, TaskCompleted, TaskCreated, TaskEscalated
from shared.events.topics import (
                                        ALL_TOPICS,
                                        APPRAISAL_TOPIC,
                                        CORE_BANKING_TOPICS,
                                        CUSTOMER_TOPIC,
                                        DEPOSITS_TOPIC,
                                        FEES_TOPIC,
                                        LOANS_TOPIC,
                                        TASKS_TOPIC,
                                        dlq_topic,
)
from shared.events.values import Balance, Cif, DepositProduct, LoanClass, Money

__all__ = [
    "ALL_TOPICS", "APPRAISAL_TOPIC", "CORE_BANKING_TOPICS", "CORE_BANKING_TYPES", "CUSTOMER_TOPIC", "DEPOSITS_TOPIC",
    "EVENT_TYPES", "FEES_TOPIC", "LOANS_TOPIC", "TASKS_TOPIC", "Balance", "CalendarChanged", "Cif", "CustomerAssigned",
    "CustomerChanged", "CustomerContactChanged", "CustomerRegistered", "CustomerTierChanged", "CustomerWon", "DepositChanged",
    "DepositClosed", "DepositOpened", "DepositProduct", "Envelope", "EventData", "FeePosted", "InteractionLogged",
    "InvalidEvent", "LoanClass", "LoanClassified", "LoanDisbursed", "LoanDue", "LoanOverdue", "LoanRepaid",
    "MarketingResultConfirmed", "MarketingResultRegistered", "Money",
    "PeriodClosed", "ScoringRequested", "SessionRevoked", "StaffChanged", "TaskCancelled", "TaskCompleted",
    "TaskCreated", "TaskEscalated", "dlq_topic", "envelope_for", "parse_event",
]
