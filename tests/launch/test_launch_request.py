"""A launch's request is checked by the sender and again by the receiver; nothing else is taken."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from practice_rx.errors import ValidationError
from practice_rx.launch_request import (
    MAX_BYTES,
    LaunchRequest,
    Reply,
    RequestRefused,
    database_key,
    nhs_number_argument,
    refusal,
    request_for,
    server_name,
    without_numbers,
)

ROOT = Path(__file__).resolve().parents[2]
VALID = "9434765919"


@pytest.mark.parametrize("words", [["943 476 5919"], ["943-476-5919"], ["9434765919"],
                                   ["943", "476", "5919"], [" 943 476 5919 "]])
def test_the_number_is_taken_with_spaces_or_hyphens_as_anywhere_else(words):
    assert nhs_number_argument(words) == VALID


@pytest.mark.parametrize("words, expected", [
    (["9434765918"], "NHS number: the check digit does not match"),
    (["943476591"], "NHS number: must be 10 digits"),
    (["9434765919;", "calc.exe"], "NHS number: must be 10 digits"),
    (["$(whoami)"], "NHS number: must be 10 digits"),
    (["９４３４７６５９１９"], "NHS number: use the digits 0 to 9 only"),
    ([""], "NHS number: enter the patient's 10-digit NHS number"),
])
def test_a_wrong_number_is_refused_with_the_usual_message(words, expected):
    with pytest.raises(ValidationError) as raised:
        nhs_number_argument(words)
    assert str(raised.value).startswith(expected)
    assert "943476591" not in str(raised.value)


def test_a_request_goes_over_and_back_unchanged():
    request = request_for(["943 476 5919"], "sqlite:///x.sqlite3", demo=False)
    assert LaunchRequest.from_bytes(request.to_bytes()) == request
    assert request.nhs_number == VALID and request.database == database_key("sqlite:///x.sqlite3")
    assert b"sqlite" not in request.to_bytes()  # the URL (and any password in it) stays here


def _sent(**changes) -> bytes:
    body = {"protocol": 1, "kind": "open", "nhs_number": VALID, "database": None, "demo": True}
    body.update(changes)
    return json.dumps(body).encode()


@pytest.mark.parametrize("data, says", [
    (_sent(protocol=2), "from another version of PracticeRx"),
    (_sent(kind="run"), "not one PracticeRx sends"),
    (_sent(demo="yes"), "not one PracticeRx sends"),
    (_sent(database="sqlite:///elsewhere"), "not one PracticeRx sends"),
    (_sent(nhs_number=9434765919), "the NHS number is not text"),
    (_sent(command="rm -rf /"), "not the keys PracticeRx sends"),
    (b"\xff\xfe{}", "not JSON text"),
    (b"[1, 2]", "not a JSON object"),
    (b"{" + b" " * MAX_BYTES + b"}", "too long"),
])
def test_the_receiver_refuses_anything_but_what_practicerx_sends(data, says):
    with pytest.raises(RequestRefused, match=says):
        LaunchRequest.from_bytes(data)


def test_the_receiver_checks_the_number_again():
    with pytest.raises(ValidationError, match="check digit"):
        LaunchRequest.from_bytes(_sent(nhs_number="9434765918"))
    assert LaunchRequest.from_bytes(_sent(nhs_number="943 476 5919")).nhs_number == VALID


def test_a_reply_is_checked_too():
    assert Reply.from_bytes(Reply(False, "no").to_bytes()) == Reply(False, "no")
    with pytest.raises(RequestRefused):
        Reply.from_bytes(b'{"ok": "yes", "message": ""}')


def test_a_copy_on_another_database_or_on_demo_data_refuses():
    practice, other = database_key("sqlite:///practice"), database_key("sqlite:///other")
    asked = request_for([VALID], "sqlite:///practice", demo=False)
    assert refusal(asked, practice, demo=False) is None
    assert "another database" in refusal(asked, other, demo=False)
    assert "demo data" in refusal(asked, None, demo=True)
    assert "Close it first to try the demo" in refusal(request_for(None, None, True),
                                                       practice, demo=False)


def test_each_user_and_data_folder_has_its_own_running_copy():
    names = {server_name("ann", Path("/home/ann/data")), server_name("bob", Path("/home/ann/data")),
             server_name("ann", Path("/srv/other"))}
    assert len(names) == 3
    assert server_name("ann", Path("/a")) == server_name("ann", Path("/a"))
    assert all(name.startswith("practice-rx-") and name.replace("-", "").isalnum()
               for name in names)


def test_argument_errors_never_repeat_a_number():
    assert without_numbers("unrecognized arguments: 943 476 5919 --x") == \
        "unrecognized arguments: [number] --x"


def _command(*arguments: str) -> subprocess.CompletedProcess:
    """``practice-rx`` in a process of its own; prints whether Qt was ever imported."""
    script = ("import sys\nfrom practice_rx.cli import main\ntry:\n    code = main(sys.argv[1:])\n"
              "except SystemExit as exit_:\n    code = exit_.code\n"
              "print('qt imported' if 'PySide6' in sys.modules else 'no qt')\nsys.exit(code)")
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
           "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-c", script, *arguments], env=env, check=False,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("arguments", [
    ["refer", "--nhs-number", "9434765918"],
    ["refer", "--nhs-number", "943 476 5918"],
    ["refer", "--nhs-number", "9434765919", "--open", "9434765919"],
    ["refer", "9434765919"],
    ["refer", "--nhs-number"],
])
def test_refer_refuses_a_wrong_call_before_any_window_and_never_echoes_the_number(arguments):
    result = _command(*arguments)
    assert result.returncode == 2, result.stderr
    assert result.stdout.strip() == "no qt"  # refused before Qt (so any window) was loaded
    assert "943" not in result.stderr and "5919" not in result.stderr
    assert "NHS number:" in result.stderr or "error:" in result.stderr
