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
from practice_rx.forms import is_visible
from practice_rx.plugin_reference import anchor
from practice_rx.startup import start

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
REFERENCE = DOC.with_name("plugin-reference.md")
HOOKS = [(name, spec) for name, spec in inspect.getmembers(hookspecs, inspect.isfunction)
         if name.startswith("practice_rx_")]


@pytest.mark.parametrize(("name", "spec"), HOOKS, ids=[name for name, _ in HOOKS])
def test_every_hook_is_documented_with_its_signature(name, spec):
    signature = str(inspect.signature(spec)).replace("'", "")
    assert f"### {name}{signature}" in DOC.read_text()
    assert spec.__doc__ and (":returns:" in spec.__doc__ or signature.endswith("-> None"))


def test_the_docs_link_to_the_pages_they_name():
    text = DOC.read_text()
    for page in ("plugin-reference.md", "plugin-testing.md", "oruk-catalogues.md"):
        assert f"]({page}" in text, f"docs/plugins.md does not link to {page}"


def test_every_link_into_the_reference_and_within_the_page_finds_its_heading():
    anchors = {anchor(line.lstrip("#")) for line in REFERENCE.read_text().splitlines()
               if line.startswith("#")}
    own = {anchor(line.lstrip("#")) for line in DOC.read_text().splitlines()
           if line.startswith("#")}
    links = re.findall(r"\]\((plugin-reference\.md)?#([\w-]+)\)", DOC.read_text())
    assert links
    for page, target in links:
        assert target in (anchors if page else own), f"no heading for #{target} ({page})"


def _tutorial(tmp_path: Path) -> tuple[Path, str, str]:
    """Write the tutorial's files; return the package's directory, and step 4's bad row
    and the start of the warning it shows."""
    text = DOC.read_text()
    blocks = re.findall(r"<!-- file: (\S+) -->\n```\w*\n(.*?)```", text, re.DOTALL)
    assert len(blocks) == 3
    for path, content in blocks:
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    step_4 = text[text.index("**4. See a bad row reported.**"):]
    bad_row = re.search(r"```csv\n(.*?)```", step_4, re.DOTALL).group(1)
    [warning] = re.findall(r"```\n +warning in (.*?) …\n```", step_4)
    return tmp_path / "practice-rx-my-area", bad_row, warning


def test_the_tutorial_plugin_works_when_followed_to_the_letter(tmp_path, monkeypatch):
    project, bad_row, documented_warning = _tutorial(tmp_path)
    metadata = tomllib.loads((project / "pyproject.toml").read_text())
    [(name, value)] = metadata["project"]["entry-points"]["practice_rx"].items()
    monkeypatch.syspath_prepend(str(project / "src"))
    url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    discovered = [EntryPoint(name, value, "practice_rx")]
    app = start(url, discovered=discovered)
    try:
        assert app.plugins.errors == []
        assert [w for w in app.plugins.warnings if w.plugin == "my_area"] == []
        names = {s.name for s in app.services.catalogue.search() if s.plugin == "my_area"}
        assert names == {"My Area Health Walks", "Friday Lunch Club"}
        assert "my_area" in {r.form_id for r in app.services.forms.available()}
        hooks = {i.name: i.hooks for i in app.plugins.info()}["my_area"]
        assert len(hooks) == 3
        details = app.services.forms.get("my_area", 1).field("transport_details")
        assert is_visible(details, {"needs_transport": True})
        assert not is_visible(details, {"needs_transport": False})
    finally:
        app.close()

    # Step 4: a bad row is a warning against the plugin; the good rows still load.
    with (project / "src/practice_rx_my_area/services.csv").open("a") as csv:
        csv.write(bad_row)
    app = start(url, discovered=discovered)
    try:
        assert app.plugins.errors == []
        warnings = [f"{w.hook}: {w.message}" for w in app.plugins.warnings
                    if w.plugin == "my_area"]
        assert len(warnings) == 1 and warnings[0].startswith(documented_warning), warnings
        names = {s.name for s in app.services.catalogue.search() if s.plugin == "my_area"}
        assert names == {"My Area Health Walks", "Friday Lunch Club"}
    finally:
        app.close()
        sys.modules.pop("practice_rx_my_area", None)


def test_the_measure_in_the_docs_is_a_valid_measure_that_scores():
    import yaml

    from practice_rx.measures import measure_from_dict, score

    [text] = re.findall(r"<!-- measure: \w+ -->\n```yaml\n(.*?)```", DOC.read_text(), re.DOTALL)
    measure = measure_from_dict(yaml.safe_load(text), source="docs/plugins.md")
    assert [item.key for item in measure.items] == [
        "know_who_to_ask", "can_plan_my_week", "feel_in_control"]
    result = score(measure, {"know_who_to_ask": 4, "can_plan_my_week": 2, "feel_in_control": 7})
    assert result.scores == {"total": 32.0, "raw": 13.0}  # 13 is 32 in its table
