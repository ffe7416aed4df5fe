"""An HTTP relay to the MESH server that fails on purpose, the ways real networks do.

It forwards every request to the server unchanged, except that it can:

* ``lose_sends``: let the server take the first n sends (``POST .../outbox``),
  then close the client's connection without passing the answer back, as a
  dropped link or a proxy timeout would: the message exists, the client
  does not know it;
* ``busy``: answer the first n requests ``503`` without forwarding them, as a
  busy gateway does; ``busy_sends`` the same for the first n sends, with
  ``busy_status`` (a plain-text page, not MESH's JSON);
* ``cut_after_sends``: once n sends have gone through, close every later
  connection without forwarding anything: the link is down.
"""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class FaultyRelay:
    def __init__(self, upstream: str, *, lose_sends: int = 0, busy: int = 0,
                 busy_sends: int = 0, busy_status: int = 503,
                 cut_after_sends: int | None = None) -> None:
        self.upstream = urlsplit(upstream)
        self.lose_sends = lose_sends
        self.busy = busy
        self.busy_sends = busy_sends
        self.busy_status = busy_status
        self.sends_refused = 0
        self.cut_after_sends = cut_after_sends
        self.sends_forwarded = 0  # sends the server received
        self.answers_lost = 0
        self.busy_answers = 0  # busy answers to any request (``busy``)
        self.requests_cut = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _decide(self, is_send: bool) -> str:
        """What to do with one request: 'busy', 'cut', 'lose' (after forwarding) or 'forward'."""
        with self._lock:
            if self.busy_answers < self.busy:
                self.busy_answers += 1
                return "busy"
            if self.cut_after_sends is not None and self.sends_forwarded >= self.cut_after_sends:
                self.requests_cut += 1
                return "cut"
            if not is_send:
                return "forward"
            if self.sends_refused < self.busy_sends:
                self.sends_refused += 1
                return "busy"
            self.sends_forwarded += 1
            if self.answers_lost < self.lose_sends:
                self.answers_lost += 1
                return "lose"
            return "forward"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        relay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                is_send = self.command == "POST" and self.path.rstrip("/").endswith("/outbox")
                decision = relay._decide(is_send)
                if decision == "cut":
                    self.close_connection = True
                    return
                if decision == "busy":
                    self._answer(relay.busy_status, "Busy", [("Content-Type", "text/plain")],
                                 b"busy, try later")
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                upstream = http.client.HTTPConnection(relay.upstream.hostname,
                                                      relay.upstream.port, timeout=30)
                try:
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    answer = upstream.getresponse()
                    content = answer.read()
                finally:
                    upstream.close()
                if decision == "lose":
                    self.close_connection = True  # the server has the message; we say nothing
                    return
                self._answer(answer.status, answer.reason, answer.getheaders(), content)

            def _answer(self, status: int, reason: str, headers: list[tuple[str, str]],
                        content: bytes) -> None:
                self.send_response(status, reason)
                for key, value in headers:
                    if key.lower() not in _HOP_BY_HOP:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_DELETE = _relay

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
