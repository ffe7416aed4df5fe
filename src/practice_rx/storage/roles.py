"""PostgreSQL roles: a schema owner for migrations, and an application role that cannot rewrite history.

The triggers on ``audit_event`` stop an UPDATE, DELETE or TRUNCATE, but the
table's owner may drop them. So the workstations connect as an application
role that owns nothing: it may only INSERT and SELECT on the append-only tables
(and read the schema revision), with ordinary rights on the rest. Migrations
run as the owner (``practice-rx --database <owner URL> db upgrade``). Running
the set-up again (after an upgrade, say) is safe: it only creates what is
missing and grants again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlalchemy import create_engine, inspect, text

from practice_rx.errors import ValidationError
from practice_rx.storage.caseload_models import APPEND_ONLY_TABLES as CASEWORK_APPEND_ONLY

#: tables whose rows are never changed or removed once written (their triggers refuse it
#: too; these rights also stop the application role dropping a trigger's table rows)
APPEND_ONLY_TABLES = ("audit_event", "referral_note", "event_code_export",
                      *CASEWORK_APPEND_ONLY)
#: tables the application only reads (the schema revision: the application never migrates)
READ_ONLY_TABLES = ("alembic_version",)
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _name(what: str, value: str) -> str:
    if not _NAME.fullmatch(value):
        raise ValidationError.single(what, f"{what}: '{value}' is not a role name PracticeRx "
                                     "accepts (lower-case letters, digits and _, up to 63)")
    return f'"{value}"'


def setup_sql(database: str, owner: str, app_role: str, tables: list[str]) -> Iterator[str]:
    """The statements, in order, for a database whose tables are ``tables`` (may be empty)."""
    db, own, app = _name("Database", database), _name("Owner", owner), _name("App role", app_role)
    for role in (own, app):
        bare = role.strip('"')
        yield (f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{bare}') "
               f"THEN CREATE ROLE {role} LOGIN; END IF; END $$")
    yield f"ALTER DATABASE {db} OWNER TO {own}"
    yield f"ALTER SCHEMA public OWNER TO {own}"
    yield "REVOKE CREATE ON SCHEMA public FROM PUBLIC"
    yield f"REVOKE ALL ON DATABASE {db} FROM PUBLIC"
    yield f"GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {app}"
    yield f"GRANT USAGE ON SCHEMA public TO {app}"
    # Everything PracticeRx made belongs to the owner, so only the owner can drop a trigger.
    yield ("DO $$ DECLARE r record; BEGIN "
           "FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP "
           f"EXECUTE format('ALTER TABLE public.%I OWNER TO {own}', r.tablename); END LOOP; "
           "FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p JOIN pg_namespace n "
           "ON n.oid = p.pronamespace WHERE n.nspname = 'public' LOOP "
           f"EXECUTE format('ALTER FUNCTION %s OWNER TO {own}', r.f); END LOOP; END $$")
    for table in tables:
        quoted = _name("Table", table)
        if table in APPEND_ONLY_TABLES:
            rights = "SELECT, INSERT"
        elif table in READ_ONLY_TABLES:
            rights = "SELECT"
        else:
            rights = "SELECT, INSERT, UPDATE, DELETE"
        yield f"REVOKE ALL ON TABLE public.{quoted} FROM {app}"
        yield f"GRANT {rights} ON TABLE public.{quoted} TO {app}"
    yield f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}"


def setup_roles(admin_url: str, owner: str, app_role: str,
                passwords: dict[str, str] | None = None) -> list[str]:
    """Run the set-up as ``admin_url`` (a superuser, or a role with CREATEROLE owning the database).

    ``passwords`` maps role names to passwords to set (omit for .pgpass, peer or
    certificate authentication). Returns the statements run, passwords left out.
    """
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT", hide_parameters=True)
    if engine.dialect.name != "postgresql":
        raise ValidationError.single("database", "Roles: only PostgreSQL databases have roles "
                                     "(a SQLite file is protected by its folder's permissions)")
    try:
        with engine.connect() as connection:
            tables = sorted(inspect(connection).get_table_names(schema="public"))
            statements = list(setup_sql(engine.url.database or "", owner, app_role, tables))
            for statement in statements:
                connection.execute(text(statement))
            for role, password in (passwords or {}).items():
                connection.execute(text("SELECT set_config('practice_rx.pw', :p, false)"),
                                   {"p": password})
                connection.execute(text(
                    "DO $$ BEGIN EXECUTE format('ALTER ROLE %I PASSWORD %L', "
                    f"'{_name('Role', role).strip(chr(34))}', "
                    "current_setting('practice_rx.pw')); END $$"))
            connection.execute(text("SELECT set_config('practice_rx.pw', '', false)"))
    finally:
        engine.dispose()
    return statements
