"""One running copy per user: a lock, a local server, and a second launch's hand-over.

The first ``practice-rx`` takes a lock file (:class:`QLockFile`, never "stale" by age:
only when the process that wrote it has gone, as after a crash or ``kill -9``),
removes any server name a dead copy left behind (``QLocalServer.removeServer``,
safe once the lock is ours) and listens on the user's own name
(:func:`practice_rx.launch_request.server_name`), reachable by that user only. A
later launch finds the lock held, connects (waiting a little for a copy still
starting), sends its request as one line of JSON, waits for the answer and exits.
The running copy re-checks the request and answers at once; it serves it when
somebody is signed in and the screen is unlocked.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QLockFile, QObject, QTimer

from practice_rx.errors import ValidationError
from practice_rx.launch_request import (
    MAX_BYTES,
    LaunchRequest,
    Reply,
    RequestRefused,
    lock_path,
)

if TYPE_CHECKING:  # QtNetwork is imported once the login is on screen (or to hand over)
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

#: how long a second launch waits for a copy that holds the lock to start listening
CONNECT_SECONDS = 10.0
#: how long it waits for the running copy's answer
REPLY_SECONDS = 5.0
#: a connection that has not sent a whole request by then is dropped
READ_MS = 3000

NOT_ANSWERING = ("PracticeRx is already running but did not answer. Close it (or end it "
                 "in Task Manager), then start PracticeRx again.")


class RunningCopy(QObject):
    """The running copy's side: the lock first (before any window), then the server."""

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.answer: Callable[[LaunchRequest], Reply] | None = None
        self.lock = QLockFile(str(lock_path(name)))
        self.lock.setStaleLockTime(0)  # held for as long as the copy runs, however long
        self.server: QLocalServer | None = None

    def claim(self) -> bool:
        """True if this is now the running copy; False if another live one holds the lock."""
        return self.lock.tryLock(0)

    def listen(self, answer: Callable[[LaunchRequest], Reply]) -> None:
        """Take later launches' requests; ``answer`` turns each checked one into the reply.
        Until this runs, a later launch waits (up to :data:`CONNECT_SECONDS`) to connect."""
        from PySide6.QtNetwork import QLocalServer

        self.answer = answer
        QLocalServer.removeServer(self.name)  # a crashed copy's name, if it left one
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self.server.listen(self.name):
            log.warning("PracticeRx cannot take requests from later launches: %s",
                        self.server.errorString())
        self.server.newConnection.connect(self._connected)

    def _connected(self) -> None:
        while self.server is not None and (socket := self.server.nextPendingConnection()):
            buffer = bytearray()
            timer = QTimer(socket, singleShot=True, interval=READ_MS)
            timer.timeout.connect(lambda s=socket: s.abort())
            socket.readyRead.connect(lambda s=socket, b=buffer: self._read(s, b))
            socket.disconnected.connect(socket.deleteLater)
            timer.start()

    def _read(self, socket: QLocalSocket, buffer: bytearray) -> None:
        buffer += bytes(socket.readAll().data())
        if b"\n" not in buffer and len(buffer) <= MAX_BYTES:
            return
        socket.readyRead.disconnect()
        line = bytes(buffer).split(b"\n", 1)[0] if b"\n" in buffer else bytes(buffer)
        try:
            reply = self.answer(LaunchRequest.from_bytes(line))
        except (RequestRefused, ValidationError) as error:
            reply = Reply(False, f"PracticeRx refused the request. {error}")
        socket.write(reply.to_bytes())
        socket.flush()
        socket.disconnectFromServer()

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        self.lock.unlock()


def hand_over(request: LaunchRequest, name: str, *, connect_seconds: float = CONNECT_SECONDS,
              reply_seconds: float = REPLY_SECONDS) -> Reply:
    """Give ``request`` to the copy running under ``name``; its reply, or why there is none."""
    from PySide6.QtNetwork import QLocalSocket

    socket = QLocalSocket()
    deadline = time.monotonic() + connect_seconds
    while True:
        socket.connectToServer(name)
        if socket.waitForConnected(1000):
            break
        if time.monotonic() >= deadline:
            return Reply(False, NOT_ANSWERING)
        time.sleep(0.2)  # the copy holding the lock is still starting
    allow_to_come_forward()
    socket.write(request.to_bytes())
    socket.waitForBytesWritten(int(reply_seconds * 1000))
    data = b""
    deadline = time.monotonic() + reply_seconds
    while b"\n" not in data and len(data) <= MAX_BYTES:
        left = int((deadline - time.monotonic()) * 1000)
        if left <= 0:
            break
        socket.waitForReadyRead(min(left, 200))
        data += bytes(socket.readAll().data())
        if socket.state() == QLocalSocket.LocalSocketState.UnconnectedState \
                and not socket.bytesAvailable() and b"\n" not in data:
            break
    socket.abort()
    if b"\n" not in data:
        return Reply(False, NOT_ANSWERING)
    try:
        return Reply.from_bytes(data.split(b"\n", 1)[0])
    except RequestRefused:
        return Reply(False, NOT_ANSWERING)


def allow_to_come_forward() -> None:
    """Windows lets only the program in front bring a window forward: this launch (just
    started by the user) lets the running copy do so. Elsewhere there is nothing to do."""
    if sys.platform == "win32":  # not run on this Linux machine's tests
        import ctypes

        ctypes.windll.user32.AllowSetForegroundWindow(-1)  # ASFW_ANY
