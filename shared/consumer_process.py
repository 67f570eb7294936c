"""The body of every `python -m services.<svc>.cli.consumer`: one consumer group per service, stopped by
SIGTERM/SIGINT."""
import asyncio
import signal

from shared import faults
from shared.consumer import EventConsumer
from shared.db import make_engine, make_session_factory
from shared.handlers import Handler
from shared.health import health_listener
from shared.kafka import ensure_topics
from shared.logging import configure_logging
from shared.runtime import settle_gc
from shared.settings import ServiceSettings


async def serve(settings: ServiceSettings, topics: list[str], handlers: dict[str, Handler]) -> None:
    configure_logging(f"{settings.service_name}-consumer", settings.log_level)
    engine = make_engine(settings.database_url, custom_plans=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    consumer = EventConsumer(name=settings.service_name, topics=topics, handlers=handlers, settings=settings,
                             session_factory=make_session_factory(engine))
    faults.install_in_consumer(consumer)
    try:
        # Alive (and its probes answered) while topic creation still waits for the broker.
        async with health_listener(settings, engine):
            await ensure_topics(settings)
            settle_gc()
            await consumer.run(stop)
    finally:
        await engine.dispose()
