"""The demo accounts' published details, in a module light enough for the sign-in screen,
which is shown before the database layer is imported."""

#: every demo user's password, shown on the login screen and in the README
DEMO_PASSWORD = "practice-rx-demo"
#: the demo user the login is filled in with
DEMO_USERNAME = "dr.patel"
