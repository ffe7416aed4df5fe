"""A real MESH server for tests: ``mesh-sandbox`` run as a subprocess on a loopback port.

The sandbox is NHS England's own local MESH (a FastAPI app). Here it runs
with real MESH authentication (``AUTH_MODE=full``: the HMAC token made from
the shared key and the mailbox password) and the file store, so messages
survive a stop and a start on the same folder, as on a real server. Plain
HTTP by default; with ``tls=True`` it asks for mutual TLS as the real MESH
does (uvicorn's own TLS, a test CA made here, a client certificate
required), so a channel's ``cert`` and ``verify`` settings are tested too.

Mailboxes are mesh-sandbox's built-in ones (its ``store/data/mailboxes.jsonl``):
``X26ABC1``, ``X26ABC2`` and ``X26ABC3``, each with the password ``password``.
Kept free of pytest; a fixture is four lines (see ``docs/mesh.md``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from practice_rx.delivery.mesh import MeshMailbox

#: The built-in mailboxes of mesh-sandbox and their passwords.
MAILBOXES = {"X26ABC1": "password", "X26ABC2": "password", "X26ABC3": "password"}
SHARED_KEY = "PracticeRxSandboxKey"


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MeshSandbox:
    """Starts, stops and restarts one mesh-sandbox server keeping its messages in ``data_dir``.

    A missing ``mesh-sandbox`` package, or a server that does not answer in
    time, is an error (with the server's log), never a skip.
    """

    def __init__(self, data_dir: Path, port: int | None = None, *, tls: bool = False) -> None:
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.log_path = self.data_dir / "sandbox.log"
        self.tls = make_certificates(self.data_dir / "tls") if tls else None
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> None:
        """Start the server and wait until ``/health`` answers."""
        if importlib.util.find_spec("mesh_sandbox") is None:
            raise RuntimeError("The mesh-sandbox package is not installed; the MESH tests need "
                               "it: pip install 'practice-rx[test]'")
        if self._process is not None:
            raise RuntimeError(f"The MESH sandbox on {self.url} is running already")
        store = self.data_dir / "mailboxes"
        store.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "ENV": "local", "AUTH_MODE": "full", "STORE_MODE": "file",
               "SHARED_KEY": SHARED_KEY, "MAILBOXES_DATA_DIR": str(store)}
        command = [sys.executable, "-m", "uvicorn", "mesh_sandbox.api:app", "--host", "127.0.0.1",
                   "--port", str(self.port), "--workers", "1"]
        if self.tls:
            command += ["--ssl-certfile", str(self.tls.server_cert), "--ssl-keyfile",
                        str(self.tls.server_key), "--ssl-ca-certs", str(self.tls.ca_cert),
                        "--ssl-cert-reqs", str(int(ssl.CERT_REQUIRED))]
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(command, env=env, cwd=self.data_dir, stdout=log,
                                             stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._process = None
                raise RuntimeError(f"The MESH sandbox stopped while starting:\n{self._log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2,
                                            context=self._ssl_context()) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"The MESH sandbox did not answer on {self.url} within {timeout:g} s:"
                           f"\n{self._log_tail()}")

    def stop(self) -> None:
        """Stop the server (its messages stay in ``data_dir``); nothing then listens on the port."""
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        self._process = None

    def mailbox(self, mailbox_id: str) -> MeshMailbox:
        """How to sign in to one of the sandbox's mailboxes."""
        if self.tls is None:
            return MeshMailbox(url=self.url, mailbox_id=mailbox_id,
                               password=MAILBOXES[mailbox_id], shared_key=SHARED_KEY)
        return MeshMailbox(url=self.url, mailbox_id=mailbox_id, password=MAILBOXES[mailbox_id],
                           shared_key=SHARED_KEY,
                           cert=(str(self.tls.client_cert), str(self.tls.client_key)),
                           verify=str(self.tls.ca_cert))

    def clear(self, mailbox_id: str) -> None:
        """Empty one mailbox's inbox and outbox (the sandbox's own test endpoint)."""
        self._admin("DELETE", f"/messageexchange/admin/reset/{mailbox_id}")

    def mark_undeliverable(self, message_id: str) -> None:
        """Make MESH give up on a message, as when the recipient never collects it."""
        self._admin("POST", f"/messageexchange/admin/message/{message_id}/event",
                    {"status": "undeliverable", "event": "SEND", "code": "14",
                     "description": "Message not collected by recipient after 5 days"})

    def _admin(self, method: str, path: str, body: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10, context=self._ssl_context()) as answer:
            if answer.status != 200:
                raise RuntimeError(f"MESH sandbox {method} {path} answered {answer.status}")

    def _ssl_context(self) -> ssl.SSLContext | None:
        if self.tls is None:
            return None
        context = ssl.create_default_context(cafile=str(self.tls.ca_cert))
        context.load_cert_chain(str(self.tls.client_cert), str(self.tls.client_key))
        return context

    def _log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()


@dataclass(frozen=True)
class SandboxCertificates:
    """PEM files for mutual TLS on 127.0.0.1: a CA, the server's and one client's."""

    ca_cert: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def make_certificates(folder: Path) -> SandboxCertificates:
    """A throwaway CA that signs a server certificate for 127.0.0.1 and a client certificate."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)

    def name(common_name: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])

    def write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> Path:
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
        return path

    def write_cert(cert: x509.Certificate, path: Path) -> Path:
        path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return path

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("PracticeRx test CA"))
          .issuer_name(name("PracticeRx test CA")).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(minutes=5))
          .not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))

    def issue(common_name: str, usage: x509.ObjectIdentifier,
              san: x509.GeneralName | None) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (x509.CertificateBuilder().subject_name(name(common_name))
                   .issuer_name(ca.subject).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - dt.timedelta(minutes=5))
                   .not_valid_after(now + dt.timedelta(days=2))
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None),
                                  critical=True)
                   .add_extension(x509.ExtendedKeyUsage([usage]), critical=False))
        if san is not None:
            builder = builder.add_extension(x509.SubjectAlternativeName([san]), critical=False)
        return builder.sign(ca_key, hashes.SHA256()), key

    server, server_key = issue("127.0.0.1", ExtendedKeyUsageOID.SERVER_AUTH,
                               x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    client, client_key = issue("X26ABC1", ExtendedKeyUsageOID.CLIENT_AUTH, None)
    return SandboxCertificates(
        ca_cert=write_cert(ca, folder / "ca.pem"),
        server_cert=write_cert(server, folder / "server.pem"),
        server_key=write_key(server_key, folder / "server.key"),
        client_cert=write_cert(client, folder / "client.pem"),
        client_key=write_key(client_key, folder / "client.key"))
