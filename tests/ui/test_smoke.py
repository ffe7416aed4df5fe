"""``practice-rx --smoke FOLDER``: the check an installed or bundled PracticeRx runs (issue 18)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from pypdf import PdfReader

from practice_rx import plugin_host
from practice_rx.cli import main


def test_smoke_opens_the_window_saves_a_letter_and_exits_0(qapp, tmp_path, capsys):
    assert main(["--smoke", str(tmp_path / "out")]) == 0
    said = capsys.readouterr().out
    assert "smoke test passed: main window shown" in said and "plugins national" in said
    (pdf,) = (tmp_path / "out").glob("*.pdf")
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "PRX-000001" in text and "Social prescribing referral" in text


def test_smoke_fails_when_a_built_in_plugin_cannot_be_loaded(qapp, tmp_path, capsys,
                                                              monkeypatch):
    """H57: a bundle that lost the national plugin's module would open with no referral
    form and none of its checks; the smoke test fails (its demo data needs the national
    form), naming it."""
    monkeypatch.setitem(plugin_host.BUILTIN_PLUGINS, "national",
                        "practice_rx.plugins.not_in_this_bundle")
    assert main(["--smoke", str(tmp_path / "out")]) != 0
    err = capsys.readouterr().err
    assert "Form 'national' version 1 is not installed" in err and "Traceback" not in err
    assert not list((tmp_path / "out").glob("*.pdf"))


def test_smoke_refuses_a_database_that_is_not_a_demo_one(qapp, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'practice.sqlite3'}"
    assert main(["--database", url, "db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["--database", url, "--smoke", str(tmp_path / "out")]) == 2
    assert "is not a demo database" in capsys.readouterr().err


def test_smoke_on_a_demo_database_says_a_built_in_plugin_is_missing(qapp, tmp_path, capsys,
                                                                   monkeypatch):
    """H57, on a demo database already filled: the window would open, without the
    national plugin's checks; the smoke test refuses to pass."""
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    assert main(["--database", url, "demo", "--patients", "5", "--referrals", "5",
                 "--services", "3"]) == 0
    monkeypatch.setitem(plugin_host.BUILTIN_PLUGINS, "national",
                        "practice_rx.plugins.not_in_this_bundle")
    capsys.readouterr()
    assert main(["--database", url, "--smoke", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "smoke test failed: built-in plugins not loaded: national" in err
    assert "No module named 'practice_rx.plugins.not_in_this_bundle'" in err
    assert not list((tmp_path / "out").glob("*.pdf"))


def test_smoke_with_a_command_is_refused(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--smoke", "out", "db", "upgrade"])
    assert stopped.value.code == 2
    assert "--smoke checks the install on its own: leave out 'db'" in capsys.readouterr().err


def test_the_demo_ended_while_it_opens_exits_0_and_leaves_no_demo_database(tmp_path):
    """``practice-rx --demo``, a real process, stopped (SIGTERM, as logging off does) while
    its demo database is still being made behind the login: it exits cleanly and removes
    the demo folder, which before was left in the temporary folder."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "TMPDIR": str(temporary), "QT_QPA_PLATFORM": "offscreen",
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "PYTHONPATH": os.pathsep.join(sys.path)}
    program = subprocess.Popen([sys.executable, "-m", "practice_rx.cli", "--demo"], env=env,
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not list(temporary.glob("practice-rx-demo-*/demo.sqlite3")):
            assert program.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        program.send_signal(signal.SIGTERM)
        assert program.wait(timeout=60) == 0
    finally:
        program.kill()
    assert list(temporary.iterdir()) == []
