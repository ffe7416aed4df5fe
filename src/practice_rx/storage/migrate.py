"""Running the Alembic migrations from inside the application.

The migrations folder is ``migrations/`` in a source checkout and
``practice_rx/_migrations`` in an installed wheel.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from practice_rx.errors import SchemaTooNewError


def migrations_dir() -> Path:
    source = Path(__file__).resolve().parents[3] / "migrations"
    if (source / "env.py").exists():
        return source
    return Path(str(resources.files("practice_rx") / "_migrations"))


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = script().get_current_head()
    assert head is not None, "the migrations folder has no revision"
    return head


def known_revisions() -> set[str]:
    return {rev.revision for rev in script().walk_revisions()}


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def refuse_newer_schema(connection: Connection) -> None:
    """Raise before anything is written when the database's revision is unknown to this app."""
    revision = current_revision(connection)
    if revision is None:
        return
    if revision not in known_revisions():
        raise SchemaTooNewError(
            f"This database was created by a newer version of PracticeRx (schema {revision}); "
            "it has been left untouched. Install the newer PracticeRx to open it."
        )


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
