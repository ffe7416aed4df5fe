"""One running copy per user, with real processes: a second launch hands over and exits.

Each test runs ``practice-rx --demo --database <a small demo file>`` as the running
copy, signed in as the demo GP through ``PRACTICE_RX_TEST_DEMO_USER``, and asks it
what it shows over its own socket (a ``state`` request: database ids and flags).
The test's data folder (``XDG_DATA_HOME``) is its own, so its server name is too.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtNetwork import QLocalServer

from practice_rx.domain.identifiers import format_nhs_number
from practice_rx.launch_request import LaunchRequest, lock_path, server_name
from practice_rx.ui.launch.one_copy import NOT_ANSWERING, hand_over
from practice_rx.ui.launch.requests import TEST_DEMO_USER
from tests.support.factories import test_nhs_number

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("one-copy-demo")
    path = folder / "demo.sqlite3"
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
           "XDG_DATA_HOME": str(folder / "data"), "XDG_CONFIG_HOME": str(folder / "config"),
           "PRACTICE_RX_AUDIT_KEY_FILE": str(folder / "audit.key")}
    subprocess.run([sys.executable, "-m", "practice_rx.cli", "--database", f"sqlite:///{path}",
                    "demo", "--patients", "40", "--referrals", "40", "--services", "5"],
                   env=env, check=True, capture_output=True, timeout=300)
    return path


@pytest.fixture
def database(demo_file: Path, tmp_path: Path, monkeypatch) -> str:
    """A copy of the demo file, with the audit key its trail was written with."""
    path = tmp_path / "demo.sqlite3"
    shutil.copy(demo_file, path)
    shutil.copy(demo_file.with_name("audit.key"), tmp_path / "audit.key")
    monkeypatch.setenv("PRACTICE_RX_AUDIT_KEY_FILE", str(tmp_path / "audit.key"))
    return f"sqlite:///{path}"


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
            "QT_QPA_PLATFORM": "offscreen", TEST_DEMO_USER: "dr.patel"}


def _command(database: str, *arguments: str) -> list[str]:
    return [sys.executable, "-m", "practice_rx.cli", "--demo", "--database", database,
            *arguments]


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen]]:
    """Start a running copy; every one still running at the end is closed (or killed)."""
    started: list[subprocess.Popen] = []

    def run(database: str, *arguments: str) -> subprocess.Popen:
        log = open(tmp_path / f"copy-{len(started)}.log", "wb")  # noqa: SIM115 (the process's)
        process = subprocess.Popen(_command(database, *arguments), env=_env(), stdout=log,
                                   stderr=subprocess.STDOUT)
        started.append(process)
        return process

    yield run
    for process in started:
        if process.poll() is None:  # SIGTERM waits on "Discard this referral?": not asked
            process.kill()
            process.wait(20)
    name = server_name()  # what the killed copies left behind in the temporary folder
    QLocalServer.removeServer(name)
    lock_path(name).unlink(missing_ok=True)


def _launch(database: str, *arguments: str) -> subprocess.CompletedProcess:
    """A second launch, to its end."""
    return subprocess.run(_command(database, *arguments), env=_env(), check=False,
                          capture_output=True,
                          text=True, timeout=60)


def _state(qapp) -> dict | None:
    reply = hand_over(LaunchRequest("state"), server_name(), connect_seconds=0.5)
    return reply.state if reply.ok else None


def _wait_for(qapp, test: Callable[[dict], bool], seconds: float = 90) -> dict:
    deadline = time.monotonic() + seconds
    state = None
    while time.monotonic() < deadline:
        state = _state(qapp)
        if state is not None and test(state):
            return state
        time.sleep(0.3)
    raise AssertionError(f"the running copy never got there: {state}")


def _patient(database: str, index: int = 0) -> tuple[int, str]:
    with sqlite3.connect(database.removeprefix("sqlite:///")) as connection:
        return connection.execute("SELECT id, nhs_number FROM patient ORDER BY id LIMIT 1 "
                                  "OFFSET ?", (index,)).fetchone()


def _from_record(state: dict) -> list[dict]:
    return [journey for journey in state["journeys"] if journey["from_record"]]


def test_a_second_launch_hands_its_patient_to_the_running_copy_and_exits(
        qapp, database, start):
    first = start(database)
    _wait_for(qapp, lambda state: state["signed_in"])
    patient_id, nhs_number = _patient(database, 3)
    began = time.monotonic()
    second = _launch(database, "refer", "--nhs-number", format_nhs_number(nhs_number))
    handed_in = time.monotonic() - began
    assert second.returncode == 0, second.stderr
    assert "Handed to the PracticeRx already open" in second.stdout
    assert nhs_number not in second.stdout + second.stderr
    state = _wait_for(qapp, lambda state: _from_record(state))
    [journey] = _from_record(state)
    assert journey["patient_id"] == patient_id  # the right patient, by the database's own id
    assert journey["banner"] and journey["step"] == "Form" and journey["notice_matches"]
    assert state["fronted"] == 1
    # a plain second launch only brings the window forward: no second copy, no journey
    plain = _launch(database)
    assert plain.returncode == 0, plain.stderr
    state = _wait_for(qapp, lambda state: state["fronted"] == 2)
    assert len(_from_record(state)) == 1 and first.poll() is None
    print(f"hand-over: {handed_in:.2f} s from launch to exit")


def test_after_a_crash_the_next_start_takes_over_the_stale_lock_and_name(
        qapp, database, start):
    crashed = start(database)
    _wait_for(qapp, lambda state: state["signed_in"])
    crashed.send_signal(signal.SIGKILL)
    crashed.wait(10)
    name = server_name()
    assert lock_path(name).exists()  # left behind by the dead copy
    assert Path(f"/tmp/{name}").exists() or sys.platform != "linux"  # and its socket
    unknown = test_nhs_number(8124)
    start(database, "refer", "--nhs-number", unknown)  # the next start: refer, from cold
    state = _wait_for(qapp, lambda state: _from_record(state))
    [journey] = _from_record(state)
    assert journey["adding_patient"] and journey["number_filled"]
    assert journey["patient_id"] is None and not journey["banner"]
    patient_id, nhs_number = _patient(database, 5)
    third = _launch(database, "refer", "--nhs-number", nhs_number)
    assert third.returncode == 0, third.stderr
    state = _wait_for(qapp, lambda state: len(_from_record(state)) == 2)
    assert {j["patient_id"] for j in _from_record(state)} == {None, patient_id}


def test_a_wrong_number_is_refused_by_the_launch_and_nothing_reaches_the_running_copy(
        qapp, database, start):
    start(database)
    before = _wait_for(qapp, lambda state: state["signed_in"])
    refused = _launch(database, "refer", "--nhs-number", "943 476 5918")
    assert refused.returncode == 2
    assert "NHS number: the check digit does not match" in refused.stderr
    assert "5918" not in refused.stderr + refused.stdout
    time.sleep(0.5)
    after = _state(qapp)
    assert after["fronted"] == before["fronted"] and after["journeys"] == []


def test_a_launch_for_another_database_is_refused_by_the_running_copy(
        qapp, database, start, tmp_path):
    start(database)
    _wait_for(qapp, lambda state: state["signed_in"])
    _, nhs_number = _patient(database)
    other = tmp_path / "practice.sqlite3"
    refused = subprocess.run(
        [sys.executable, "-m", "practice_rx.cli", "--database", f"sqlite:///{other}", "refer",
         "--nhs-number", nhs_number], env=_env(), check=False, capture_output=True, text=True,
        timeout=60)
    assert refused.returncode == 1
    assert "PracticeRx is already open on demo data" in refused.stderr
    assert not other.exists()  # the launch opened no database of its own
    time.sleep(0.5)
    assert _from_record(_state(qapp)) == []


def test_a_copy_that_takes_the_request_but_never_answers_is_said_and_the_launch_ends(qapp):
    name = f"practice-rx-test-silent-{os.getpid()}"
    QLocalServer.removeServer(name)
    silent = QLocalServer()
    assert silent.listen(name)  # takes connections (the kernel does), never replies
    try:
        began = time.monotonic()
        reply = hand_over(LaunchRequest(nhs_number="9434765919"), name, reply_seconds=1)
        assert not reply.ok and reply.message == NOT_ANSWERING
        assert time.monotonic() - began < 5
    finally:
        silent.close()
    nobody = hand_over(LaunchRequest(), name, connect_seconds=0.5)
    assert not nobody.ok and nobody.message == NOT_ANSWERING
