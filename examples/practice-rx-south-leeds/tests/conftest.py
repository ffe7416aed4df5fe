"""South Leeds' tests start PracticeRx with this plugin alone (and the built-in national).

Naming the plugin means another plugin installed beside it cannot change what
these tests see (its default form, say).
"""

import pytest


@pytest.fixture
def practice_rx_plugins():
    return ["south_leeds"]
