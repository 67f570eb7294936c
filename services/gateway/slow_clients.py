"""The gateway's HTTP protocol: uvicorn's httptools protocol plus a deadline for each request head.

uvicorn closes a kept-alive connection that stays silent, but any byte cancels that timer, and nothing
limits how long a request line and headers may take: clients trickling a header byte every few seconds
held their connections for ever. Here a client has HEADER_TIMEOUT_SECONDS from connecting, or from the
end of the previous answer, to complete its request head, else the connection is closed. Bodies are
bounded elsewhere (MAX_BODY_BYTES, the upstream timeout).

Run as `uvicorn services.gateway.main:app --http services.gateway.slow_clients:HeadTimeoutProtocol`.
"""
from asyncio import TimerHandle

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from services.gateway.config import Settings

HEADER_TIMEOUT_SECONDS = Settings().header_timeout_seconds


class HeadTimeoutProtocol(HttpToolsProtocol):
    head_deadline: TimerHandle | None = None

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._await_head()

    def on_headers_complete(self) -> None:
        self._head_arrived()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        pipelined = bool(self.pipeline)   # a pipelined request's head is in already
        super().on_response_complete()
        if not pipelined and not self.transport.is_closing():
            self._await_head()

    def connection_lost(self, exc) -> None:
        self._head_arrived()
        super().connection_lost(exc)

    def _await_head(self) -> None:
        self._head_arrived()
        self.head_deadline = self.loop.call_later(HEADER_TIMEOUT_SECONDS, self._head_too_slow)

    def _head_arrived(self) -> None:
        if self.head_deadline is not None:
            self.head_deadline.cancel()
            self.head_deadline = None

    def _head_too_slow(self) -> None:
        self.head_deadline = None
        if not self.transport.is_closing():
            self.transport.close()
