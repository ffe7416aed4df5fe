"""A local ORUK directory, and the area's mapping file, for each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.oruk.directory_server import MAPPING_TOML, Directory, serving


@pytest.fixture
def directory() -> Directory:
    return Directory(records=[])


@pytest.fixture
def directory_url(directory: Directory) -> Iterator[str]:
    with serving(directory) as url:
        yield url


@pytest.fixture
def mapping_file(tmp_path: Path) -> Path:
    path = tmp_path / "mapping.toml"
    path.write_text(MAPPING_TOML, encoding="utf-8")
    return path
