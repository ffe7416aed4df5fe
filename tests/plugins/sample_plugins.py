"""Plugins for the tests, loaded through real entry points (``module:attribute``)."""

from __future__ import annotations

import time

from practice_rx import hookimpl
from practice_rx.plugin_api import ReferralAction
from practice_rx.services.catalogue import ServiceDetails
from practice_rx.services.referrals import ReferralSnapshot


class Catalogue:
    """A well-behaved plugin whose catalogue a test can change between syncs."""

    def __init__(self) -> None:
        self.services = [
            ServiceDetails("walk", "Park walks", "physical_activity"),
            ServiceDetails("choir", "Community choir", "arts_culture"),
        ]

    @hookimpl
    def practice_rx_register_services(self):
        return list(self.services)


class RaisesEverywhere:
    @hookimpl
    def practice_rx_register_referral_forms(self):
        raise RuntimeError("forms exploded")

    @hookimpl
    def practice_rx_register_services(self):
        raise RuntimeError("catalogue exploded")

    @hookimpl
    def practice_rx_register_letter_templates(self):
        raise RuntimeError("templates exploded")

    @hookimpl
    def practice_rx_register_referral_actions(self):
        raise RuntimeError("actions exploded")

    @hookimpl
    def practice_rx_default_form_id(self):
        raise RuntimeError("default exploded")

    @hookimpl
    def practice_rx_validate_referral(self, referral: ReferralSnapshot):
        raise RuntimeError("validation exploded")

    @hookimpl
    def practice_rx_referral_status_changed(self, change):
        raise RuntimeError("notification exploded")


class WrongTypes:
    @hookimpl
    def practice_rx_register_referral_forms(self):
        return [{"id": "Bad Form", "version": 0, "title": "", "sections": "none"}, 42]

    @hookimpl
    def practice_rx_register_services(self):
        return [{"external_id": "x1", "name": "", "category": "physical_activity"},
                {"external_id": "x2", "name": "Fine", "category": "knitting"},
                {"external_id": "x3", "name": "Good one", "category": "food"}, "a string"]

    @hookimpl
    def practice_rx_register_letter_templates(self):
        return "not a list"

    @hookimpl
    def practice_rx_register_referral_actions(self):
        return [object(), ReferralAction("fine", "Fine action", run=lambda referral: "done")]

    @hookimpl
    def practice_rx_default_form_id(self):
        return 42

    @hookimpl
    def practice_rx_validate_referral(self, referral):
        return ["not", "a", "mapping"]


class Slow:
    @hookimpl
    def practice_rx_register_services(self):
        time.sleep(2.2)
        return []


class UnknownHook:
    @hookimpl
    def practice_rx_register_everything(self):
        return []


class RaisesOnAction:
    @hookimpl
    def practice_rx_register_referral_actions(self):
        def boom(referral):
            raise ValueError("printer on fire")

        return [ReferralAction("boom", "Boom", run=boom)]


class FirstSaysNone:
    @hookimpl
    def practice_rx_default_form_id(self):
        return None


class PrefersLocal:
    @hookimpl
    def practice_rx_default_form_id(self):
        return "local_form"


class LeedsPatientLetter:
    id, version, kind, title = "leeds_patient", 3, "patient", "Leeds patient letter"

    def render(self, inputs) -> bytes:
        return b"%PDF-1.4 sample"


class Letters:
    @hookimpl
    def practice_rx_register_letter_templates(self):
        return [LeedsPatientLetter()]


class DuplicateIds:
    """A catalogue with one external id twice, as a hand-edited CSV can have."""

    @hookimpl
    def practice_rx_register_services(self):
        return [ServiceDetails("walk", "Park walks", "physical_activity"),
                ServiceDetails("walk", "Canal walks", "physical_activity"),
                {"external_id": "choir", "name": "Community choir", "category": "arts_culture"}]


class GarbageCatalogue:
    @hookimpl
    def practice_rx_register_services(self):
        return 42


class AllBadCatalogue:
    @hookimpl
    def practice_rx_register_services(self):
        return ["a string", {"external_id": "walk", "name": "", "category": "knitting"}]


catalogue = Catalogue()
duplicate_ids = DuplicateIds()
garbage_catalogue = GarbageCatalogue()
all_bad_catalogue = AllBadCatalogue()
letters = Letters()
raises_everywhere = RaisesEverywhere()
wrong_types = WrongTypes()
slow = Slow()
unknown_hook = UnknownHook()
raises_on_action = RaisesOnAction()
first_says_none = FirstSaysNone()
prefers_local = PrefersLocal()
