"""Launching PracticeRx from a GP system: one running copy, and referring from the record."""
