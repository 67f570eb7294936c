"""Kafka topics: the contract's core-banking topics and our services' own, each with its DLQ."""

LOANS_TOPIC = "corebanking.loans"
DEPOSITS_TOPIC = "corebanking.deposits"
FEES_TOPIC = "corebanking.fees"
CUSTOMER_TOPIC = "customer.events"
TASKS_TOPIC = "tasks.events"
APPRAISAL_TOPIC = "appraisal.events"
CORE_BANKING_TOPICS = (LOANS_TOPIC, DEPOSITS_TOPIC, FEES_TOPIC)
ALL_TOPICS = (*CORE_BANKING_TOPICS, CUSTOMER_TOPIC, TASKS_TOPIC, APPRAISAL_TOPIC)


def dlq_topic(topic: str) -> str:
    return f"{topic}.dlq"
