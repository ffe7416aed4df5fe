"""A throwaway PostgreSQL cluster for the test session.

initdb into a temporary folder, started on a free loopback port with its socket
in that folder, and removed at the end. As root, the server runs as the
``postgres`` system user, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path


def find_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl: PATH, pg_config, then Debian's versioned folders."""
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        bindir = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout
        if (Path(bindir.strip()) / "initdb").exists():
            return Path(bindir.strip())
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A running cluster this process owns; tests may stop and start it."""

    def __init__(self, bindir: Path, folder: Path, run_as: list[str], user: str) -> None:
        self.bindir, self.folder, self.run_as, self.user = bindir, folder, run_as, user
        self.data, self.port, self.log = folder / "data", _free_port(), folder / "server.log"
        self.url = f"postgresql+psycopg://{user}@127.0.0.1:{self.port}/postgres"

    def run(self, *args: str) -> None:
        subprocess.run([*self.run_as, *args], check=True, capture_output=True, cwd=self.folder)

    def init(self) -> None:
        self.run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", self.user, "-A",
                 "trust", "-E", "UTF8", "--locale=C", "--no-sync")

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off -c synchronous_commit=off "
                   "-c max_connections=100")
        self.run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                 "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; "fast" lets it write what it acknowledged, as a server being stopped would."""
        self.run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """A fresh, running cluster, removed afterwards; ``.url`` is its admin URL."""
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError(
            "PostgreSQL server binaries (initdb, pg_ctl) not found; install the Debian package "
            "'postgresql' or set PRACTICE_RX_TEST_POSTGRES_URL"
        )
    folder = Path(tempfile.mkdtemp(prefix="practice-rx-pg-"))
    run_as: list[str] = []
    user = pwd.getpwuid(os.getuid()).pw_name
    if os.getuid() == 0:
        user = "postgres"
        shutil.chown(folder, user="postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    cluster = Cluster(bindir, folder, run_as, user)
    try:
        cluster.init()
        cluster.start()
        try:
            yield cluster
        finally:
            with suppress(subprocess.CalledProcessError):  # a test may have stopped it
                cluster.stop("immediate")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
