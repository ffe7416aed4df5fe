"""``practice-rx mesh …`` end to end: secrets into a real keyring backend, a sign-in check
and a delivery through the sandbox, with the settings file the command reads."""

from __future__ import annotations

import io
from collections.abc import Iterator

import keyring
import pytest
import tomli_w

from practice_rx.cli import main
from practice_rx.delivery import secrets
from practice_rx.delivery.mesh import MeshChannel
from practice_rx.settings import settings_path
from practice_rx.testing.keyring_file import FileKeyring
from practice_rx.testing.mesh_sandbox import MAILBOXES, SHARED_KEY, MeshSandbox
from tests.mesh.delivery_setup import PRACTICE_MAILBOX, SERVICE_MAILBOX, WORKFLOW, mesh_practice
from tests.support.factories import make_user


@pytest.fixture
def empty_ring(tmp_path) -> Iterator[FileKeyring]:
    previous = keyring.get_keyring()
    ring = FileKeyring(tmp_path / "keyring.json")
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


@pytest.fixture
def settings_file(tmp_path, monkeypatch, sandbox: MeshSandbox):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.write_text(tomli_w.dumps({"mesh_url": sandbox.url, "mesh_workflow_id": WORKFLOW}))
    return path


def test_the_secrets_go_to_the_keyring_and_never_to_the_screen(empty_ring, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("a mailbox secret\n"))
    assert main(["mesh", "set-password", "--mailbox", "x26abc1", "--stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("the shared key\n"))
    assert main(["mesh", "set-shared-key", "--stdin"]) == 0

    assert secrets.mailbox_password("X26ABC1") == "a mailbox secret"
    assert secrets.shared_key("X26ABC1") == "the shared key"
    shown = capsys.readouterr()
    assert "The password of MESH mailbox X26ABC1 is in the keyring" in shown.out
    assert "secret" not in shown.out + shown.err and "the shared key" not in shown.out


def test_a_malformed_mailbox_id_is_refused_before_asking(empty_ring, capsys):
    assert main(["mesh", "set-password", "--mailbox", "X26 ABC"]) == 2
    assert "--mailbox: a MESH mailbox id is 1 to 20 letters and digits" in capsys.readouterr().err


def test_check_signs_in_and_counts_without_reading(empty_ring, settings_file, sandbox, capsys):
    secrets.set_shared_key(SHARED_KEY)
    secrets.set_mailbox_password(PRACTICE_MAILBOX, MAILBOXES[PRACTICE_MAILBOX])
    secrets.set_mailbox_password(SERVICE_MAILBOX, "not its password")
    MeshChannel(sandbox.mailbox("X26ABC3"), workflow_id=WORKFLOW).send(
        PRACTICE_MAILBOX, [("note.txt", b"hello", "text/plain")], "PRX-check-1")

    assert main(["mesh", "check", "--mailbox", PRACTICE_MAILBOX]) == 0
    assert capsys.readouterr().out == (f"{PRACTICE_MAILBOX}: signed in to {sandbox.url}; "
                                       "1 message waiting in the inbox\n")
    assert len(MeshChannel(sandbox.mailbox(PRACTICE_MAILBOX), workflow_id=WORKFLOW).inbox()) == 1

    assert main(["mesh", "check", "--mailbox", SERVICE_MAILBOX]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{SERVICE_MAILBOX}: not signed in: ")
    assert "HTTP 403, not signed in" in out and "not its password" not in out


def test_deliver_pending_and_poll_from_the_command_line(db, db_url, clock, empty_ring,
                                                        settings_file, sandbox, capsys):
    secrets.set_shared_key(SHARED_KEY)
    secrets.set_mailbox_password(PRACTICE_MAILBOX, MAILBOXES[PRACTICE_MAILBOX])
    mesh = mesh_practice(db, clock, sandbox)
    referral = mesh.sent_referral(mesh.service())
    user = make_user(mesh.services, "receptionist", "Sam Jones")

    assert main(["--database", db_url, "mesh", "deliver", str(referral.id),
                 "--user", user.username]) == 0
    assert capsys.readouterr().out == f"Delivered over MESH to {SERVICE_MAILBOX} (2 files)\n"
    assert len(mesh.mailbox_channel(SERVICE_MAILBOX).inbox(acknowledge=True)) == 2

    assert main(["--database", db_url, "mesh", "poll", "--user", user.username]) == 0
    out = capsys.readouterr().out
    assert "Acknowledged: collected over MESH to X26ABC2 (2 files)" in out
    assert main(["--database", db_url, "mesh", "pending", "--user", user.username]) == 0
    assert capsys.readouterr().out == "0 pending or failed\n"
    assert main(["--database", db_url, "mesh", "deliver", str(referral.id),
                 "--user", user.username]) == 2  # delivered already: never twice
    assert "has a delivery already" in capsys.readouterr().err
