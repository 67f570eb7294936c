"""`python -m services.tasks.cli.consumer`: the tasks service's event consumer, a process of its own."""
import asyncio

from services.tasks.config import Settings
from services.tasks.handlers import HANDLERS
from shared.consumer_process import serve
from shared.events import APPRAISAL_TOPIC, CUSTOMER_TOPIC, DEPOSITS_TOPIC, LOANS_TOPIC

TOPICS = [LOANS_TOPIC, DEPOSITS_TOPIC, CUSTOMER_TOPIC, APPRAISAL_TOPIC]

if __name__ == "__main__":
    asyncio.run(serve(Settings(), TOPICS, HANDLERS))
