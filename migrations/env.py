"""Alembic environment: runs on the connection the application hands over.

``render_as_batch`` lets SQLite alter tables by copy-and-move; the naming
convention on the metadata gives every constraint a name to alter.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from practice_rx.storage.models import Base

config = context.config
target_metadata = Base.metadata


def _configure_and_run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    engine = create_engine(url)
    with engine.begin() as new_connection:
        _configure_and_run(new_connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("PracticeRx migrations run online only, from 'practice-rx db upgrade'.")
run_migrations_online()
