"""The database server's clock, in UTC, as a SQL expression.

A note is stamped by the database, not by the workstation that writes it, so
a workstation's wrong clock (or a caller choosing a time) cannot back-date it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class server_utc_now(FunctionElement):  # noqa: N801 - reads like the SQL function it is
    """Now on the database server, UTC, naive like every stored time."""

    type = DateTime()
    inherit_cache = True


@compiles(server_utc_now, "postgresql")
def _postgresql(_element: server_utc_now, _compiler: Any, **_kw: Any) -> str:
    return "timezone('utc', statement_timestamp())"


@compiles(server_utc_now, "sqlite")
def _sqlite(_element: server_utc_now, _compiler: Any, **_kw: Any) -> str:
    return "strftime('%Y-%m-%d %H:%M:%f', 'now')"
