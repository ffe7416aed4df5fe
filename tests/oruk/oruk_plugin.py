"""A local area's plugin whose catalogue is its council's ORUK directory, saved as a file."""

from __future__ import annotations

from pathlib import Path

from practice_rx import hookimpl
from practice_rx.oruk import load_directory

#: set by the test: the saved directory and the area's mapping file
FILES: dict[str, Path] = {}
PRACTICE_RX_API = ">=1.1,<2"


@hookimpl
def practice_rx_register_services(report):
    """As docs/oruk-catalogues.md shows it: the problems passed on as warnings."""
    catalogue = load_directory(FILES["directory"], mapping=FILES["mapping"])
    report.each(catalogue.problems)
    return catalogue.services
