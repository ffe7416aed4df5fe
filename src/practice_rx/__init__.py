"""PracticeRx: raise, track and print social prescribing referrals.

Plugins mark their hook implementations with :data:`hookimpl`.
"""

import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("practice_rx")
