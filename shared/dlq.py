"""The dead-letter topic: a message that can never be applied goes to `<topic>.dlq` with why and where
it came from, before its offset moves on."""
import asyncio
import logging

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from shared.events import dlq_topic
from shared.metrics import DEAD_LETTERED, UNKNOWN, type_label
from shared.retry import back_off, delay

log = logging.getLogger("consumer")


class DeadLetters:
    def __init__(self, producer: AIOKafkaProducer, consumer: str, stop: asyncio.Event) -> None:
        self.producer, self.consumer, self.stop = producer, consumer, stop

    async def send(self, record, reason: str, event_type: str = UNKNOWN) -> None:
        """Headers `dlq-reason`, `original-topic`, `original-partition`, `original-offset`, `consumer`.
        Retried until the broker takes it (or the process is stopped): skipping it would lose the message."""
        log.warning("dead-lettering %s[%d]@%d: %s", record.topic, record.partition, record.offset, reason)
        headers = [("dlq-reason", reason.encode()), ("original-topic", record.topic.encode()),
                   ("original-partition", str(record.partition).encode()),
                   ("original-offset", str(record.offset).encode()), ("consumer", self.consumer.encode())]
        failures = 0
        while True:
            try:
                await self.producer.send_and_wait(dlq_topic(record.topic), record.value, key=record.key,
                                                  headers=headers)
                DEAD_LETTERED.labels(self.consumer, record.topic, type_label(event_type)).inc()
                return
            except KafkaError as err:
                log.warning("DLQ publish failed (%s); retrying", err)
                await back_off(self.stop, delay(failures, 0.2))
                failures += 1
