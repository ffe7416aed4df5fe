"""Getting JSON from a directory's web API, over connections kept open between requests.

A directory of 10,000 services takes 10,000 detail requests; opening a new TCP (and
TLS) connection for each would take longer than the import itself, so each thread
keeps one connection per host (stdlib ``http.client``, no new dependency). Every
failure is a :class:`DirectoryError` naming the URL as :func:`shown_url` prints it,
never with credentials or query tokens.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import threading
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from practice_rx import __version__
from practice_rx.errors import PracticeRxError

#: the query parameters safe to print; any other (an API key, a token) is left out
SHOWN_PARAMETERS = ("page", "per_page")
MAX_REDIRECTS = 5
USER_AGENT = f"PracticeRx/{__version__} (ORUK catalogue import)"


class DirectoryError(PracticeRxError):
    """The directory could not be read in full, so nothing of it is used."""


def shown_url(url: str) -> str:
    """``url`` without a user name, password or any query parameter but the page ones."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k in SHOWN_PARAMETERS])
    return urlunsplit((parts.scheme, host, parts.path, query, ""))


class JsonGetter:
    """GET requests answered with JSON, one kept-open connection per thread and host."""

    def __init__(self, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self._local = threading.local()
        self._opened: list[http.client.HTTPConnection] = []  # every thread's, to close
        self._lock = threading.Lock()

    def get(self, url: str) -> Any:
        """The decoded JSON at ``url``; a DirectoryError for any status but 200 (after
        following redirects), a network failure, or a body that is not JSON."""
        for _ in range(MAX_REDIRECTS + 1):
            status, reason, location, body = self._request(url)
            if status in (301, 302, 303, 307, 308) and location:
                url = urljoin(url, location)
                continue
            if status != 200:
                raise DirectoryError(f"{shown_url(url)} answered HTTP {status} {reason}".strip())
            try:
                return json.loads(body)
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                raise DirectoryError(f"{shown_url(url)} did not answer with JSON ({error})"
                                     ) from None
        raise DirectoryError(f"{shown_url(url)} redirected more than {MAX_REDIRECTS} times")

    def _request(self, url: str) -> tuple[int, str, str | None, bytes]:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise DirectoryError(f"{shown_url(url)}: expected an http:// or https:// address")
        target = urlunsplit(("", "", parts.path or "/", parts.query, ""))
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        for attempt in (1, 2):  # a kept-open connection the server has closed: once more
            connection, reused = self._connection(parts.scheme, parts.hostname, parts.port)
            try:
                connection.request("GET", target, headers=headers)
                response = connection.getresponse()
                body = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.CannotSendRequest) as error:
                self._drop(parts.scheme, parts.hostname, parts.port)
                if reused and attempt == 1:
                    continue
                raise DirectoryError(f"{shown_url(url)}: the connection failed ({error})"
                                     ) from None
            except (OSError, http.client.HTTPException) as error:
                self._drop(parts.scheme, parts.hostname, parts.port)
                why = "timed out" if isinstance(error, socket.timeout) else str(error)
                raise DirectoryError(f"{shown_url(url)}: cannot be read ({why})") from None
            if response.will_close:
                self._drop(parts.scheme, parts.hostname, parts.port)
            return response.status, response.reason, response.getheader("Location"), body
        raise AssertionError("unreachable")

    def _connection(self, scheme: str, host: str,
                    port: int | None) -> tuple[http.client.HTTPConnection, bool]:
        pool: dict[tuple[str, str, int | None], http.client.HTTPConnection] = getattr(
            self._local, "pool", None) or {}
        self._local.pool = pool
        key = (scheme, host, port)
        if key in pool:
            return pool[key], True
        if scheme == "https":
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                host, port, timeout=self.timeout, context=ssl.create_default_context())
        else:
            connection = http.client.HTTPConnection(host, port, timeout=self.timeout)
        pool[key] = connection
        with self._lock:
            self._opened.append(connection)
        return connection, False

    def _drop(self, scheme: str, host: str, port: int | None) -> None:
        connection = getattr(self._local, "pool", {}).pop((scheme, host, port), None)
        if connection is not None:
            connection.close()

    def close(self) -> None:
        """Close every connection any thread opened."""
        with self._lock:
            opened, self._opened = self._opened, []
        for connection in opened:
            connection.close()
        self._local.pool = {}
