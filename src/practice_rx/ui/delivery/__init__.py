"""Delivering referrals from the app: after Send, and "Send again" on the referral view.

The service calls run off the GUI thread (MESH can take seconds, or a minute
when the server is down); the outcome comes back as a sentence for the status
bar or the referral view's result line.
"""
