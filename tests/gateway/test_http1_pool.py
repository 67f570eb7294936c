"""The gateway's keep-alive pool against a service that ends connections as uvicorn does: a POST is
never lost to a pooled connection the service has already closed."""
import asyncio
import select

import pytest

from services.gateway.http1 import Pool


class FakeService:
    """Answers each request with the next (status, close_after) of `script` — close_after None keeps the
    connection, else it is closed that many seconds after the answer, unannounced (uvicorn logs an
    exception's traceback, then closes); counts the requests it read."""

    def __init__(self, script):
        self.script, self.requests, self.connections = list(script), 0, 0

    async def handle(self, reader, writer):
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                await reader.readexactly(length)
                self.requests += 1
                status, close_after = self.script.pop(0)
                writer.write(b"HTTP/1.1 %d X\r\ncontent-length: 2\r\n\r\nok" % status)   # no "connection: close"
                await writer.drain()
                if close_after is not None:
                    await asyncio.sleep(close_after)
                    writer.close()
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


@pytest.fixture
async def service():
    async def start(script):
        fake = FakeService(script)
        server = await asyncio.start_server(fake.handle, "127.0.0.1", 0)
        servers.append(server)
        return fake, Pool(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", 10, 1.0)
    servers = []
    yield start
    for server in servers:
        server.close()


def wait_readable(pool: Pool, timeout: float = 5.0) -> None:
    """Block (without letting the event loop run) until the service's FIN is on the pooled socket."""
    poller = select.poll()
    poller.register(pool.idle[-1].transport.get_extra_info("socket").fileno(), select.POLLIN)
    assert poller.poll(timeout * 1000), "the service did not close the connection"


async def test_a_post_after_a_500_goes_on_a_new_connection_not_the_one_the_service_is_closing(service):
    fake, pool = await service([(500, 0.2), (201, None)])
    assert (await pool.request("POST", "/api/v1/customers", [], b"{}", 2.0))[0] == 500
    assert (await pool.request("POST", "/api/v1/customers", [], b"{}", 2.0))[0] == 201
    assert fake.connections == 2 and fake.requests == 2
    pool.close()


async def test_a_pooled_connection_closed_before_the_post_is_written_is_left_and_the_post_sent_once_anew(service):
    fake, pool = await service([(200, 0), (201, None)])
    assert (await pool.request("GET", "/api/v1/me", [], None, 2.0))[0] == 200
    wait_readable(pool)   # the FIN has arrived; the loop has not read it yet
    assert (await pool.request("POST", "/api/v1/customers", [], b"{}", 2.0))[0] == 201
    assert fake.connections == 2 and fake.requests == 2
    pool.close()
