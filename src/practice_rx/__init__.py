"""PracticeRx: raise, track and print social prescribing referrals."""

__version__ = "0.1.0"
