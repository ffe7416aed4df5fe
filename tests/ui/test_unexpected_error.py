"""A fault in a screen's own code is said on screen and logged, never silent."""

from __future__ import annotations

import logging
import sys

from practice_rx.ui import messages


def test_an_unexpected_error_is_shown_and_logged_without_the_traceback_on_screen(
        window, qtbot, caplog):
    try:
        raise ImportError("cannot import name 'row_table'")
    except ImportError:
        kind, error, trace = sys.exc_info()
    with caplog.at_level(logging.ERROR):
        box = messages.unexpected_error(kind, error, trace)
    assert box.isVisible() and box.objectName() == "unexpected_error"
    assert "ImportError" in box.text() and "Traceback" not in box.text()
    assert "row_table" not in box.text()  # the details go to the log, not the screen
    record = caplog.records[-1]
    assert record.levelno == logging.ERROR and record.exc_info[1] is error
    box.close()
