"""Listing every catalogue, removing an imported one, and the warning of a second copy."""

from __future__ import annotations

import json

from sqlalchemy import select

from practice_rx import cli
from practice_rx.services.catalogue import ServiceDetails
from practice_rx.storage.models import AuditEvent, Service
from tests.oruk.directory_server import service
from tests.support.factories import make_service

WALK = ServiceDetails("walk", "Park walks", "physical_activity")


def _run(db_url, *args: str) -> int:
    return cli.main(["--database", db_url, "catalogue", *args])


def _active(db, plugin: str) -> list[bool]:
    with db.reading() as session:
        return list(session.scalars(select(Service.active).where(Service.plugin == plugin)))


def test_a_second_import_of_one_file_under_another_name_warns_and_can_be_removed(
        services, db, db_url, tmp_path, mapping_file, capsys):
    saved = tmp_path / "harrowgate-vale-directory.json"
    saved.write_text(json.dumps([service(n) for n in range(1, 5)]))
    assert _run(db_url, "import-oruk", str(saved), "--mapping", str(mapping_file)) == 0
    assert "Warning" not in capsys.readouterr().out
    assert _run(db_url, "import-oruk", str(saved), "--mapping", str(mapping_file),
                "--name", "harrowgate") == 0
    out = capsys.readouterr().out
    assert "Imported oruk:harrowgate from harrowgate-vale-directory.json: 4 added" in out
    assert ("Warning: oruk:harrowgate-vale-directory already holds this directory (the same "
            "source; 4 of the same services), so there are now two copies. To keep one, "
            "remove the other: practice-rx catalogue remove oruk:harrowgate-vale-directory"
            in out)

    assert _run(db_url, "remove", "harrowgate-vale-directory") == 0
    assert capsys.readouterr().out == (
        "Removed oruk:harrowgate-vale-directory: 4 service(s) marked inactive. They are kept, "
        "not deleted, so referrals to them stay readable; importing it again brings them "
        "back.\n")
    assert _active(db, "oruk:harrowgate-vale-directory") == [False] * 4
    with db.reading() as session:
        [entry] = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "catalogue_remove"))
    assert (entry.user_id, entry.after) == (None, {"plugin": "oruk:harrowgate-vale-directory",
                                                   "deactivated": 4})
    assert _run(db_url, "remove", "oruk:harrowgate-vale-directory") == 0
    assert "has no active services; nothing was changed" in capsys.readouterr().out
    assert _run(db_url, "import-oruk", str(saved), "--mapping", str(mapping_file),
                "--name", "harrowgate") == 0  # the removed copy no longer counts
    assert "Warning" not in capsys.readouterr().out


def test_another_directory_sharing_service_ids_is_named_too(services, db_url, directory,
                                                            directory_url, tmp_path,
                                                            mapping_file, capsys):
    directory.records = [service(1), service(2)]
    assert _run(db_url, "import-oruk", directory_url, "--mapping", str(mapping_file),
                "--name", "live") == 0
    saved = tmp_path / "copy.json"
    saved.write_text(json.dumps([service(2), service(3)]))
    capsys.readouterr()
    assert _run(db_url, "import-oruk", str(saved), "--mapping", str(mapping_file)) == 0
    assert ("Warning: oruk:live already holds this directory (1 of the same services)"
            in capsys.readouterr().out)


def test_the_list_shows_every_catalogue_with_its_counts_and_last_import(
        services, db_url, directory, directory_url, mapping_file, capsys):
    services.catalogue.sync({"area": [WALK, ServiceDetails("gone", "Gone", "other")]})
    services.catalogue.sync({"area": [WALK]})
    make_service(services, "Our own walking group")
    directory.records = [service(1), service(2), service(3)]
    assert _run(db_url, "import-oruk", directory_url, "--mapping", str(mapping_file),
                "--name", "leeds") == 0
    services.catalogue.sync_one("oruk:old", [WALK], audited=True)  # an import of long ago
    capsys.readouterr()
    assert _run(db_url, "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["CATALOGUE", "KIND", "ACTIVE", "INACTIVE", "LAST", "IMPORTED",
                                "FROM"]
    assert [line.split()[:4] for line in lines[1:]] == [
        ["local", "local", "1", "0"], ["area", "plugin", "1", "1"],
        ["oruk:leeds", "imported", "3", "0"], ["oruk:old", "imported", "1", "0"]]
    leeds, old = lines[3], lines[4]
    assert leeds.endswith(f"UTC  {directory_url}")
    assert old.rstrip().endswith("UTC  not recorded")
    assert "UTC" not in lines[1] + lines[2]


def test_a_plugins_or_the_practices_catalogue_is_refused_with_what_to_do(
        services, db, db_url, capsys):
    services.catalogue.sync({"area": [WALK]})
    make_service(services, "Our own walking group")
    assert _run(db_url, "remove", "area") == 1
    err = capsys.readouterr().err
    assert "not removed: 'area' is the catalogue of the plugin area" in err
    assert "switch the plugin off" in err and "disabled_plugins" in err
    assert _run(db_url, "remove", "local") == 1
    err = capsys.readouterr().err
    assert "'local' is the practice's own services" in err
    assert "Only imported catalogues (oruk:NAME) can be removed" in err
    assert _run(db_url, "remove", "nowhere") == 1
    assert "there is no catalogue 'nowhere'" in capsys.readouterr().err
    assert _active(db, "area") == [True] and _active(db, "local") == [True]
    with db.reading() as session:
        assert session.scalar(select(AuditEvent.id).where(
            AuditEvent.action == "catalogue_remove")) is None
