"""Reading every service record of an ORUK v3.0 directory, from its API or a saved file.

The API's ``/services`` pages hold only each service's one-to-one fields (the
OpenAPI file says so), so a record without its ``attributes`` (its taxonomy terms)
is fetched in full from ``/services/{id}``. Everything is read before anything is
used: a failed page or record raises :class:`DirectoryError` naming it, and the
caller keeps its previous catalogue.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from practice_rx.oruk.http_client import DirectoryError, JsonGetter, shown_url

DEFAULT_PER_PAGE = 100
#: a record with all of these is already fully nested; otherwise /services/{id} is read
NESTED = ("attributes",)
MAX_PAGES = 100_000  # a directory that never says "last page" is not followed for ever
DETAIL_WORKERS = 4


@dataclass
class RawDirectory:
    """Every service record as the directory gave it (bad ones too: the mapping reports
    them), where it came from, and anything odd about the reading itself."""

    source: str
    records: list[Any]
    problems: list[str] = field(default_factory=list)


def is_url(source: str | PathLike[str]) -> bool:
    return isinstance(source, str) and source.startswith(("http://", "https://"))


def read_directory(source: str | PathLike[str], per_page: int = DEFAULT_PER_PAGE,
                   getter: JsonGetter | None = None) -> RawDirectory:
    """A directory's service records from a base URL (``https://…/api``) or a JSON file."""
    if is_url(source):
        return read_api(str(source), per_page, getter)
    return read_file(Path(source))


def read_file(path: Path) -> RawDirectory:
    """A saved directory: one ``/services`` page, a list of services, a full dump
    (``{"services": [...]}``), or one ``/services/{id}`` record."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise DirectoryError(f"{path.name}: cannot be read ({error.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DirectoryError(f"{path.name}: is not JSON ({error})") from None
    if isinstance(data, list):
        return RawDirectory(path.name, data)
    if isinstance(data, dict):
        for key in ("contents", "services"):
            if isinstance(data.get(key), list):
                return RawDirectory(path.name, data[key])
        if "id" in data and "name" in data:
            return RawDirectory(path.name, [data])
    raise DirectoryError(f"{path.name}: expected an ORUK services page, a list of services "
                         "or a dump with a 'services' list")


def read_api(base_url: str, per_page: int = DEFAULT_PER_PAGE,
             getter: JsonGetter | None = None) -> RawDirectory:
    """Every page of ``/services`` until the last, then each record in full."""
    if not 1 <= per_page <= 1000:
        raise DirectoryError("per page: choose from 1 to 1000 services a page")
    base = base_url.rstrip("/")
    own_getter = getter is None
    getter = getter or JsonGetter()
    try:
        listed, problems = _pages(getter, base, per_page)
        records = _in_full(getter, base, listed)
    finally:
        if own_getter:
            getter.close()
    return RawDirectory(shown_url(base), records, problems)


def _pages(getter: JsonGetter, base: str, per_page: int) -> tuple[list[Any], list[str]]:
    listed: list[Any] = []
    total_items: int | None = None
    total_pages: int | None = None
    for number in range(1, MAX_PAGES + 1):
        url = f"{base}/services?{urlencode({'page': number, 'per_page': per_page})}"
        try:
            page = getter.get(url)
        except DirectoryError as error:
            known = f" of {total_pages}" if total_pages else ""
            raise DirectoryError(f"page {number}{known}: {error}") from None
        contents = page.get("contents") if isinstance(page, dict) else None
        if not isinstance(contents, list):
            raise DirectoryError(f"{shown_url(url)}: page {number} is not an ORUK page of "
                                 "services (no 'contents' list)")
        listed.extend(contents)
        if number == 1:
            total_items = _whole(page.get("total_items"))
            total_pages = _whole(page.get("total_pages"))
        if _last(page, number, contents, per_page):
            break
    else:
        raise DirectoryError(f"{shown_url(base)}: more than {MAX_PAGES} pages; stopped")
    problems = []
    if total_items is not None and total_items != len(listed):
        problems.append(f"{shown_url(base)}: the directory said it holds {total_items} "
                        f"services but its pages listed {len(listed)} (it may have changed "
                        "while it was read)")
    return listed, problems


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _last(page: dict[str, Any], number: int, contents: list[Any], per_page: int) -> bool:
    """The page says it is the last, or (for a directory that does not say) holds fewer
    than a full page; ``total_pages`` is a limit either way."""
    if page.get("last_page") is True or page.get("empty") is True or not contents:
        return True
    total_pages = page.get("total_pages")
    if isinstance(total_pages, int) and number >= total_pages:
        return True
    return page.get("last_page") is None and len(contents) < per_page


def _in_full(getter: JsonGetter, base: str, listed: list[Any]) -> list[Any]:
    """Each listed record, fetched from /services/{id} unless the page already nested it;
    a record without an id stays as it is, for the mapping to report."""
    def needs_detail(record: Any) -> bool:
        return (isinstance(record, dict) and isinstance(record.get("id"), str)
                and bool(record["id"]) and any(key not in record for key in NESTED))

    wanted = [index for index, record in enumerate(listed) if needs_detail(record)]

    def fetch(index: int) -> Any:
        return getter.get(f"{base}/services/{quote(listed[index]['id'], safe='')}")

    records = list(listed)
    if wanted:
        pool = ThreadPoolExecutor(max_workers=DETAIL_WORKERS)
        try:
            for index, record in zip(wanted, pool.map(fetch, wanted), strict=True):
                records[index] = record
        finally:  # after a failure, the records not yet asked for are not asked for
            pool.shutdown(wait=True, cancel_futures=True)
    return records
