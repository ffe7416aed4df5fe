"""Screens for a network of practices sharing one database.

- :mod:`.practice_chooser`: :class:`PracticeCombo`, a choice among the practices a user
  sees, and :func:`read_visible`, which reads them off the GUI thread.
- :mod:`.user_practices_dialog`: :class:`PracticeChecks` (a check box per practice) and
  :class:`UserPracticesDialog`, where an admin says which practices a user works for.
"""
