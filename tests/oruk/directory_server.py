"""A real ORUK v3.0 directory on localhost, serving records that follow the uk-profile schema.

``/services?page=&per_page=`` answers pages with only the one-to-one fields (as the
OpenAPI file says a list does), ``/services/{id}`` the full record. A test (or the
bench) can make one page or one record fail with a status of its choosing.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

#: the uk-profile's one-to-one service fields, which a /services page carries
LIST_FIELDS = ("id", "organization_id", "name", "description", "url", "email", "status",
               "fees", "accreditations", "minimum_age", "maximum_age", "assured_date",
               "assurer_email", "alert", "last_modified", "organization")
NAMESPACE = uuid.UUID("6f1c1d3e-3f5e-4c39-9d8e-2a8c6f0b7a11")
WALKING = {"id": str(uuid.uuid5(NAMESPACE, "term-walking")), "name": "Walking",
           "description": "Walking groups", "taxonomy": "Synthetic Area Activities",
           "term": "Walking"}
LUNCH = {"id": str(uuid.uuid5(NAMESPACE, "term-lunch")), "name": "Lunch clubs",
         "description": "Lunch clubs", "taxonomy": "Synthetic Area Activities",
         "term": "Lunch clubs"}
KNITTING = {"id": str(uuid.uuid5(NAMESPACE, "term-knitting")), "name": "Knitting",
            "description": "Knitting circles", "taxonomy": "Synthetic Area Activities",
            "term": "Knitting"}
#: an area mapping for the terms above (Knitting is left out on purpose)
MAPPING_TOML = f"""
[terms]
"{WALKING['id']}" = "physical_activity"

[taxonomies."Synthetic Area Activities"]
"Lunch clubs" = "befriending"
"""


def oruk_id(label: str) -> str:
    return str(uuid.uuid5(NAMESPACE, label))


def service(number: int, term: dict[str, str] = WALKING, **changes: Any) -> dict[str, Any]:
    """A full ORUK service record (synthetic data; 0113 496 0xxx is a drama number range)."""
    ident = oruk_id(f"service-{number}")
    record: dict[str, Any] = {
        "id": ident, "organization_id": oruk_id(f"org-{number % 7}"),
        "name": f"Synthetic service {number}",
        "description": f"A synthetic community service, number {number}.",
        "url": f"https://services.example.org/{number}", "email": f"s{number}@example.org",
        "status": "active", "minimum_age": 18, "maximum_age": None,
        "last_modified": "2026-03-15T10:30:45.123Z",
        "organization": {"id": oruk_id(f"org-{number % 7}"), "name": f"Example Trust {number % 7}",
                         "description": "A synthetic organisation"},
        "schedules": [{"id": oruk_id(f"schedule-{number}"), "freq": "WEEKLY", "interval": 1,
                       "byday": "MO,TH", "opens_at": "10:00:00", "closes_at": "12:30:00"}],
        "service_areas": [{"id": oruk_id(f"area-{number}"), "name": "Synthetic Town"}],
        "service_at_locations": [{"id": oruk_id(f"sal-{number}"), "location": {
            "id": oruk_id(f"loc-{number}"), "location_type": "physical",
            "name": "Synthetic Community Centre",
            "addresses": [{"id": oruk_id(f"addr-{number}"), "address_1": f"{number} High Street",
                           "city": "Synthetic Town", "state_province": "West Yorkshire",
                           "postal_code": "LS1 4AP", "country": "GB",
                           "address_type": "physical"}]}}],
        "languages": [], "funding": [],
        "cost_options": [{"id": oruk_id(f"cost-{number}"), "option": "Per session",
                          "amount": 2, "amount_description": "per session"}],
        "contacts": [{"id": oruk_id(f"contact-{number}"), "name": "Reception",
                      "phones": [{"id": oruk_id(f"phone-{number}"),
                                  "number": f"0113 496 {number % 10000:04d}"}]}],
        "attributes": [{"id": oruk_id(f"attr-{number}"), "link_type": "service",
                        "taxonomy_term_id": term["id"], "taxonomy_term": dict(term)}],
    }
    record.update(changes)
    return record


@dataclass
class Directory:
    """What the server serves, and what it should fail; tests change it between imports."""

    records: list[Any]
    fail_pages: dict[int, int] = field(default_factory=dict)  # page number -> status
    fail_ids: dict[str, int] = field(default_factory=dict)  # service id -> status
    full_lists: bool = False  # pages carry full records (some directories do)
    requests: list[str] = field(default_factory=list)

    def page(self, number: int, per_page: int) -> dict[str, Any]:
        total = len(self.records)
        pages = max(1, -(-total // per_page))
        chunk = self.records[(number - 1) * per_page:number * per_page]
        contents = chunk if self.full_lists else [
            {k: v for k, v in r.items() if k in LIST_FIELDS} if isinstance(r, dict) else r
            for r in chunk]
        return {"total_items": total, "total_pages": pages, "page_number": number,
                "size": len(contents), "first_page": number == 1, "last_page": number >= pages,
                "empty": total == 0, "contents": contents}

    def by_id(self, ident: str) -> Any:
        return next((r for r in self.records if isinstance(r, dict) and r.get("id") == ident),
                    None)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
    disable_nagle_algorithm = True  # headers and body go in two writes; do not hold one back
    directory: Directory

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        self.directory.requests.append(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/api/services":
            number, per_page = int(query.get("page", 1)), int(query.get("per_page", 50))
            if number in self.directory.fail_pages:
                return self._send(self.directory.fail_pages[number], b"server error")
            return self._json(self.directory.page(number, per_page))
        if parts.path.startswith("/api/services/"):
            ident = unquote(parts.path.rsplit("/", 1)[1])
            if ident in self.directory.fail_ids:
                return self._send(self.directory.fail_ids[ident], b"server error")
            record = self.directory.by_id(ident)
            return self._json(record) if record is not None else self._send(404, b"not found")
        return self._send(404, b"not found")

    def _json(self, data: Any) -> None:
        self._send(200, json.dumps(data).encode(), "application/json")

    def _send(self, status: int, body: bytes, kind: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet


@contextmanager
def serving(directory: Directory) -> Iterator[str]:
    """The base URL (``http://127.0.0.1:<port>/api``) of a server for ``directory``."""
    handler = type("Handler", (_Handler,), {"directory": directory})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
