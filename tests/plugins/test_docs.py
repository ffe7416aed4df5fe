"""docs/plugins.md stays true: every hook documented, and the tutorial works as written."""

from __future__ import annotations

import inspect
import re
import sys
import tomllib
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from practice_rx import hookspecs
from practice_rx.startup import start

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
HOOKS = [(name, spec) for name, spec in inspect.getmembers(hookspecs, inspect.isfunction)
         if name.startswith("practice_rx_")]


@pytest.mark.parametrize(("name", "spec"), HOOKS, ids=[name for name, _ in HOOKS])
def test_every_hook_is_documented_with_its_signature(name, spec):
    signature = str(inspect.signature(spec)).replace("'", "")
    assert f"### {name}{signature}" in DOC.read_text()
    assert spec.__doc__ and (":returns:" in spec.__doc__ or signature.endswith("-> None"))


def test_the_tutorial_plugin_works_when_followed_to_the_letter(tmp_path, monkeypatch):
    blocks = re.findall(r"<!-- file: (\S+) -->\n```\w*\n(.*?)```", DOC.read_text(), re.S)
    assert len(blocks) == 3
    for path, text in blocks:
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    project = tomllib.loads((tmp_path / "practice-rx-my-area/pyproject.toml").read_text())
    [(name, value)] = project["project"]["entry-points"]["practice_rx"].items()
    monkeypatch.syspath_prepend(str(tmp_path / "practice-rx-my-area/src"))
    app = start(f"sqlite:///{tmp_path / 'p.sqlite3'}",
                discovered=[EntryPoint(name, value, "practice_rx")])
    try:
        assert app.plugins.errors == []
        names = {s.name for s in app.services.catalogue.search() if s.plugin == "my_area"}
        assert names == {"My Area Health Walks", "Friday Lunch Club"}
        assert "my_area" in {r.form_id for r in app.services.forms.available()}
        hooks = {i.name: i.hooks for i in app.plugins.info()}["my_area"]
        assert len(hooks) == 3
    finally:
        app.close()
        sys.modules.pop("practice_rx_my_area", None)
