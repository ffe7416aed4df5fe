"""The import command end to end, and a plugin whose catalogue is an ORUK directory."""

from __future__ import annotations

import json
from importlib.metadata import EntryPoint

from sqlalchemy import select

from practice_rx import cli
from practice_rx.plugin_host import PluginHost
from practice_rx.services.catalogue import SyncReport
from practice_rx.storage.models import Service
from tests.oruk import oruk_plugin
from tests.oruk.directory_server import KNITTING, service


def _import(db_url, *args: str) -> int:
    return cli.main(["--database", db_url, "catalogue", "import-oruk", *args])


def _names(db, plugin: str) -> list[tuple[str, bool]]:
    with db.reading() as session:
        return sorted(tuple(row) for row in session.execute(select(Service.name, Service.active)
                                      .where(Service.plugin == plugin)).all())


def test_the_command_imports_prints_a_summary_and_each_problem_once(
        db, db_url, directory, directory_url, mapping_file, capsys):
    broken = service(4, minimum_age="eighteen")
    directory.records = [service(1), service(2), service(3, KNITTING), broken, broken]
    assert _import(db_url, directory_url, "--mapping", str(mapping_file), "--name", "leeds",
                   "--per-page", "2") == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Imported oruk:leeds from {directory_url}: 2 added, 0 updated, "
                          "0 deactivated, 0 unchanged.\n")
    assert "2 problem(s), 1 of them services whose taxonomy terms are not in the mapping" in out
    assert out.count(f"service {broken['id']}: 'minimum_age' should be a number") == 1
    assert out.count(f"service {service(3)['id']}: none of its taxonomy terms") == 1
    assert _names(db, "oruk:leeds") == [("Synthetic service 1", True),
                                        ("Synthetic service 2", True)]
    assert _import(db_url, directory_url, "--mapping", str(mapping_file), "--name",
                   "leeds") == 0
    assert "0 added, 0 updated, 0 deactivated, 2 unchanged." in capsys.readouterr().out


def test_the_command_fails_with_status_1_and_changes_nothing(
        db, db_url, directory, directory_url, mapping_file, capsys):
    directory.records = [service(n) for n in range(1, 6)]
    assert _import(db_url, directory_url, "--mapping", str(mapping_file), "--name", "leeds",
                   "--per-page", "2") == 0
    directory.records[0] = service(1, name="Renamed")
    directory.fail_pages[3] = 503
    capsys.readouterr()
    assert _import(db_url, directory_url, "--mapping", str(mapping_file), "--name", "leeds",
                   "--per-page", "2") == 1
    err = capsys.readouterr().err
    assert "import failed, nothing was changed: page 3 of 3:" in err
    assert "answered HTTP 503" in err
    assert ("Synthetic service 1", True) in _names(db, "oruk:leeds")
    assert _import(db_url, directory_url, "--mapping", "no-such-mapping.toml") == 1
    assert "no-such-mapping.toml: cannot be read" in capsys.readouterr().err


def test_the_default_name_is_the_host_and_a_token_is_never_printed(
        db, db_url, directory, directory_url, mapping_file, capsys):
    directory.records = [service(1)]
    assert _import(db_url, directory_url + "?api_key=SECRET", "--mapping",
                   str(mapping_file)) == 1  # the key is not part of the base URL's path
    assert "SECRET" not in "".join(capsys.readouterr())
    assert _import(db_url, directory_url, "--mapping", str(mapping_file)) == 0
    assert "Imported oruk:127.0.0.1 from" in capsys.readouterr().out


def test_a_plugin_can_serve_a_saved_directory_as_its_catalogue(services, db, tmp_path,
                                                               mapping_file):
    directory = tmp_path / "directory.json"
    directory.write_text(json.dumps([service(1), service(2), service(3, KNITTING)]))
    oruk_plugin.FILES.update(directory=directory, mapping=mapping_file)
    host = PluginHost(builtins={}, discovered=[EntryPoint(name="area", value="tests.oruk.oruk_plugin",
                                             group="practice_rx")])
    catalogues = host.catalogues()
    assert host.errors == []
    [warning] = [w.message for w in host.warnings if w.plugin == "area"]
    assert warning.startswith(f"service {service(3)['id']}: none of its taxonomy terms")
    assert [s.name for s in catalogues.services["area"]] == ["Synthetic service 1",
                                                              "Synthetic service 2"]
    assert services.catalogue.sync(catalogues.services).added == 2
    assert _names(db, "area") == [("Synthetic service 1", True), ("Synthetic service 2", True)]
    assert services.catalogue.sync(host.catalogues().services) == SyncReport(unchanged=2)
