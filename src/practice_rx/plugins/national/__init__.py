"""The built-in ``national`` plugin: the standard national referral form."""
