"""Plugins whose safety rule cannot be run (it raises, or answers in the wrong shape),
and one with no rule whose status hook raises, so a send still goes through."""

from __future__ import annotations

from practice_rx import hookimpl


class RuleRaises:
    @hookimpl
    def practice_rx_validate_referral(self, referral):
        raise RuntimeError("the housing register did not answer")


class RuleAnswersWrongly:
    @hookimpl
    def practice_rx_validate_referral(self, referral):
        return ["not", "a", "mapping"]


class StatusHookRaises:
    @hookimpl
    def practice_rx_referral_status_changed(self, change):
        raise RuntimeError("notification exploded")


rule_raises = RuleRaises()
rule_answers_wrongly = RuleAnswersWrongly()
status_hook_raises = StatusHookRaises()
