"""The hazard log names only tests that exist, and every hazard has at least one."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOG = ROOT / "docs" / "clinical-safety.md"
NAMED = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test_")}


def test_every_test_the_log_names_exists():
    named = NAMED.findall(LOG.read_text(encoding="utf-8"))
    assert len(named) >= 30
    missing = [f"{file}::{name}" for file, name in named
               if not (ROOT / file).exists() or name not in _tests_in(ROOT / file)]
    assert missing == []


def test_every_hazard_in_the_table_has_a_section_with_a_test():
    text = LOG.read_text(encoding="utf-8")
    listed = re.findall(r"^\| (H\d\d) \|", text, flags=re.MULTILINE)
    sections = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    by_id = {section[:3]: section for section in sections}
    assert listed and sorted(listed) == sorted(by_id)
    assert [h for h, section in by_id.items() if not NAMED.search(section)] == []
