"""docs/oruk-catalogues.md stays true: its sample directory and mapping import as it says."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from practice_rx import cli
from practice_rx.storage.models import Service

DOC = Path(__file__).resolve().parents[2] / "docs" / "oruk-catalogues.md"


def _sample(tmp_path: Path) -> tuple[str, list[dict[str, str]]]:
    """Write the sample's files; return the output the docs show and the rows they store."""
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- file: (\S+) -->\n```\w*\n(.*?)```", text, re.DOTALL)
    assert [name for name, _ in blocks] == ["harrowgate-vale.json",
                                            "harrowgate-vale-mapping.toml"]
    for name, content in blocks:
        (tmp_path / name).write_text(content, encoding="utf-8")
    [output] = re.findall(r"<!-- output -->\n```text\n(.*?)```", text, re.DOTALL)
    [table] = re.findall(r"<!-- stored -->\n((?:\|.*\n)+)", text)
    header, _, *lines = [[cell.strip() for cell in line.strip("|\n").split("|")]
                         for line in table.splitlines()]
    return output, [dict(zip(header, line, strict=True)) for line in lines]


def test_the_sample_directory_imports_as_the_docs_say(db, db_url, tmp_path, capsys,
                                                      monkeypatch):
    output, stored = _sample(tmp_path)
    monkeypatch.chdir(tmp_path)  # the command exactly as the docs give it
    assert cli.main(["--database", db_url, "catalogue", "import-oruk", "harrowgate-vale.json",
                     "--mapping", "harrowgate-vale-mapping.toml"]) == 0
    assert capsys.readouterr().out == output
    columns = list(stored[0])
    with db.reading() as session:
        rows = session.scalars(select(Service).where(Service.plugin == "oruk:harrowgate-vale")
                               .order_by(Service.name)).all()
    assert [{key: getattr(row, key) for key in columns} for row in rows] == stored
