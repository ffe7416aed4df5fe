"""Shaping the worklist: columns, saved filters, the row menu, printing and export."""
