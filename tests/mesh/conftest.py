"""One mesh-sandbox server for the MESH tests, started as a subprocess and stopped at the end.

Each test starts with the three sandbox mailboxes empty. A missing
``mesh-sandbox`` is a failure, not a skip (:class:`MeshSandbox` says so).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from practice_rx.testing.mesh_sandbox import MAILBOXES, MeshSandbox


@pytest.fixture(scope="session")
def mesh_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MeshSandbox]:
    with MeshSandbox(tmp_path_factory.mktemp("mesh-sandbox")) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(mesh_sandbox: MeshSandbox) -> MeshSandbox:
    """The session's sandbox with every mailbox emptied first."""
    for mailbox_id in MAILBOXES:
        mesh_sandbox.clear(mailbox_id)
    return mesh_sandbox
