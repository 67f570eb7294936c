"""A minimal pooled HTTP/1.1 client for the gateway's forwarding: keep-alive connections per service,
one request at a time on each, responses parsed by httptools (the parser uvicorn itself uses).

Why not aiohttp here: with every other cost of the forwarding path cut, aiohttp's request machinery
(URL objects, multidicts, timers, tracing hooks, response objects) was still about a third of the
gateway's CPU per forwarded request. The gateway only ever talks to its own services over plain
HTTP/1.1 with Content-Length or chunked answers, which is all this client does. aiohttp stays for the
occasional OpenAPI fetch.
"""
import asyncio
import select
from collections import deque
from urllib.parse import urlsplit

import httptools

IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
IDLE_SECONDS = 4.0   # uvicorn closes idle keep-alive connections after 5 s: let go of ours before that


class UpstreamClosed(ConnectionError):
    """The connection ended (or the answer was unreadable) before a whole response arrived."""

    def __init__(self, message: str, got_bytes: bool = False):
        super().__init__(message)
        self.got_bytes = got_bytes


class _Connection(asyncio.Protocol):
    def __init__(self, loop):
        self.loop = loop
        self.transport = None
        self.closed = False
        self.idle_since = 0.0
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []
        self.got_bytes = False
        self.keep_alive = False

    # asyncio.Protocol
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data: bytes):
        self.got_bytes = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as err:
            self._fail(UpstreamClosed(f"unreadable answer: {err}", True))

    def connection_lost(self, exc):
        self.closed = True
        self._fail(UpstreamClosed("connection closed by the service", self.got_bytes))

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes):
        self.headers.append((name, value))

    def on_headers_complete(self):
        self.keep_alive = self.parser.should_keep_alive()   # asked here: the parser resets once the message ends

    def on_body(self, body: bytes):
        self.chunks.append(body)

    def on_message_complete(self):
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    def _fail(self, err: Exception):
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(err)

    def _timed_out(self):
        self._fail(asyncio.TimeoutError())

    async def exchange(self, request: bytes, deadline: float) -> tuple[int, list[tuple[bytes, bytes]], bytes, bool]:
        self.headers, self.chunks, self.got_bytes, self.keep_alive = [], [], False, False
        self.waiter = self.loop.create_future()
        timer = self.loop.call_at(deadline, self._timed_out)
        try:
            self.transport.write(request)
            await self.waiter
        finally:
            timer.cancel()
            self.waiter = None
        body = self.chunks[0] if len(self.chunks) == 1 else b"".join(self.chunks)
        return self.parser.get_status_code(), self.headers, body, self.keep_alive

    def hung_up(self) -> bool:
        """Whether the service has ended this idle connection though we have not yet read its FIN:
        anything readable on an idle connection is the end (or bytes nobody asked for). Asked just
        before a request is written, so a closed connection is left before a byte is sent on it."""
        poller = select.poll()
        poller.register(self.transport.get_extra_info("socket").fileno(), select.POLLIN)
        return bool(poller.poll(0))

    def close(self):
        self.closed = True
        if self.transport is not None:
            self.transport.abort()


class Pool:
    """Keep-alive connections to one service (base URL http://host:port), at most `limit` at a time."""

    def __init__(self, base_url: str, limit: int, connect_timeout: float):
        url = urlsplit(base_url)
        if url.scheme != "http":
            raise ValueError(f"only http:// services are supported, not {base_url}")
        if url.hostname is None:
            raise ValueError(f"a service URL names its host: {base_url}")
        self.host, self.port = url.hostname, url.port or 80
        self.host_header = f"host: {url.netloc}\r\n".encode("latin-1")
        self.connect_timeout = connect_timeout
        self.idle: deque[_Connection] = deque()
        self.slots = asyncio.Semaphore(limit)

    async def _connect(self, deadline: float) -> _Connection:
        loop = asyncio.get_running_loop()
        timeout = min(self.connect_timeout, max(0.0, deadline - loop.time()))
        async with asyncio.timeout(timeout):
            _, conn = await loop.create_connection(lambda: _Connection(loop), self.host, self.port)
        return conn

    def _reuse(self, now: float) -> _Connection | None:
        while self.idle:
            conn = self.idle.pop()   # the most recently used: the least likely to be closed under us
            if not conn.closed and now - conn.idle_since < IDLE_SECONDS and not conn.hung_up():
                return conn
            conn.close()
        return None

    async def request(self, method: str, target: str, headers: list[tuple[bytes, bytes]], body: bytes | None,
                      timeout: float) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """`target` is the path and query as sent on the request line (already percent-encoded);
        `headers` are ASGI-style pairs, without Host, Content-Length or hop-by-hop ones."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        head = [f"{method} {target} HTTP/1.1\r\n".encode("latin-1"), self.host_header]
        head += [b"%s: %s\r\n" % pair for pair in headers]
        if body or method not in ("GET", "HEAD", "DELETE", "OPTIONS"):
            head.append(b"content-length: %d\r\n" % len(body or b""))
        head.append(b"\r\n")
        if body:
            head.append(body)
        message = b"".join(head)
        async with self.slots:
            while True:
                conn = self._reuse(loop.time())
                reused = conn is not None
                if conn is None:
                    conn = await self._connect(deadline)
                try:
                    status, raw_headers, content, keep_alive = await conn.exchange(message, deadline)
                except UpstreamClosed as err:
                    conn.close()
                    # A kept-alive connection the service had just closed: safe to send again once.
                    if reused and not err.got_bytes and method in IDEMPOTENT:
                        continue
                    raise
                except BaseException:
                    conn.close()
                    raise
                # uvicorn closes the connection a moment after any 500 from an exception (once it has
                # logged it) without saying so: pooled, it failed the next caller's request.
                if keep_alive and not conn.closed and status < 500:
                    conn.idle_since = loop.time()
                    self.idle.append(conn)
                else:
                    conn.close()
                return status, raw_headers, content

    def close(self) -> None:
        while self.idle:
            self.idle.pop().close()
