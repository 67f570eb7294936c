"""`python -m services.customer.cli.consumer`: the customer service's event consumer, a process of its own."""
import asyncio

from services.customer.config import Settings
from services.customer.handlers import HANDLERS
from shared.consumer_process import serve
from shared.events import DEPOSITS_TOPIC, FEES_TOPIC, LOANS_TOPIC, TASKS_TOPIC

TOPICS = [LOANS_TOPIC, DEPOSITS_TOPIC, TASKS_TOPIC, FEES_TOPIC]

if __name__ == "__main__":
    asyncio.run(serve(Settings(), TOPICS, HANDLERS))
