"""`python -m services.appraisal.cli.consumer`: the appraisal service's event consumer, a process of its own."""
import asyncio

from services.appraisal.config import Settings
from services.appraisal.handlers import HANDLERS
from shared.consumer_process import serve
from shared.events import CUSTOMER_TOPIC, DEPOSITS_TOPIC, FEES_TOPIC, LOANS_TOPIC, TASKS_TOPIC

TOPICS = [LOANS_TOPIC, DEPOSITS_TOPIC, FEES_TOPIC, CUSTOMER_TOPIC, TASKS_TOPIC]

if __name__ == "__main__":
    asyncio.run(serve(Settings(), TOPICS, HANDLERS))
