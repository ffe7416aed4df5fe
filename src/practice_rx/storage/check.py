"""``practice-rx db check``: is this database sound, and is it PracticeRx's?

SQLite's ``PRAGMA integrity_check`` reads every page, so overwritten or torn pages
are found before anything is migrated or trusted; PostgreSQL keeps its own pages
checksummed, so there the check is a connection and the schema.
"""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from practice_rx.storage.models import SCHEMA_REVISION, Base

MAX_LISTED = 10


def check_database(engine: Engine, *, schema: bool = True) -> list[str]:
    """Problems found, in words (empty when the database is sound)."""
    problems: list[str] = []
    with engine.connect() as connection:
        if engine.url.get_backend_name() == "sqlite":
            rows = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")]
            if rows != ["ok"]:
                listed = "; ".join(rows[:MAX_LISTED])
                more = f" (and {len(rows) - MAX_LISTED} more)" if len(rows) > MAX_LISTED else ""
                return [f"SQLite integrity check failed: {listed}{more}"]
            broken = list(connection.exec_driver_sql("PRAGMA foreign_key_check"))
            if broken:
                tables = sorted({row[0] for row in broken})
                problems.append(f"{len(broken)} rows point at rows that do not exist (in "
                                f"{', '.join(tables)})")
        if schema:
            problems.extend(_schema_problems(connection))
    return problems


def _schema_problems(connection) -> list[str]:
    from practice_rx.storage.database import stored_revision

    revision = stored_revision(connection)
    if revision is None:
        return ["No PracticeRx schema: the database is empty or belongs to something else"]
    if revision != SCHEMA_REVISION:
        return [f"The schema is {revision}, not this PracticeRx's {SCHEMA_REVISION}: run "
                "practice-rx db upgrade (its tables are not compared until then)"]
    inspector = inspect(connection)
    present = set(inspector.get_table_names())
    problems = []
    for table in Base.metadata.sorted_tables:
        if table.name not in present:
            problems.append(f"The table {table.name} is missing")
            continue
        columns = {column["name"] for column in inspector.get_columns(table.name)}
        missing = [column.name for column in table.columns if column.name not in columns]
        if missing:
            problems.append(f"The table {table.name} lacks the columns {', '.join(missing)}")
    return problems
