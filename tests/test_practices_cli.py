"""Setting up a network from the command line: which practices a user works for."""

from __future__ import annotations

import io

from practice_rx.cli import main
from practice_rx.services.practice import PracticeDetails
from tests.support.factories import admin


def test_users_are_linked_to_practices_by_ods_code(services, db_url, monkeypatch, capsys):
    network_admin = admin(services)
    first = services.practice.save(network_admin, PracticeDetails("Y99901", "Beeston Hill"))
    second = services.practice.add(network_admin, PracticeDetails("Y99902", "Holbeck Moor"))
    monkeypatch.setattr("sys.stdin", io.StringIO("a receptionist pw\n"))
    assert main(["--database", db_url, "users", "add", "sam", "--name", "Sam Jones",
                 "--role", "receptionist", "--practice", "y99902", "--password-stdin"]) == 0
    sam = services.users.by_username("sam")
    assert services.users.practices_of(sam.id) == {second.id} and not sam.all_practices
    monkeypatch.setattr("sys.stdin", io.StringIO("another pw 12\n"))
    assert main(["--database", db_url, "users", "add", "kim", "--name", "Kim Lee", "--role",
                 "receptionist", "--practice", "X00000", "--password-stdin"]) == 2
    assert services.users.by_username("kim") is None  # refused before anything was added
    assert "no practice of the network has the ODS code X00000" in capsys.readouterr().err
    assert main(["--database", db_url, "users", "practices", "sam", "--practice", "Y99901",
                 "--practice", "Y99902"]) == 0
    assert services.users.practices_of(sam.id) == {first.id, second.id}
    assert main(["--database", db_url, "users", "practices", "sam", "--all-practices"]) == 0
    assert services.users.by_username("sam").all_practices
    capsys.readouterr()
    assert main(["--database", db_url, "users", "list"]) == 0
    listing = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert listing["sam"].endswith("; all practices")
