"""Export codes for the GP record: the app's side of ``practice-rx export codes``."""
