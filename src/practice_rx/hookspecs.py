"""The PracticeRx hook specifications: the plugin author's manual.

A plugin is a module (or object) with functions named like these hooks and
marked with ``@practice_rx.hookimpl``. It declares only the arguments it needs;
PracticeRx passes them by keyword, so hooks can gain arguments without breaking
old plugins. Plugins are found through the ``practice_rx`` entry-point group;
the built-in ones in ``practice_rx.plugins`` use these same hooks.

Every call to a plugin is isolated: an exception, or a result of the wrong
shape, is recorded against the plugin and that hook, the answer is skipped, and
the rest of the application carries on. ``practice-rx plugins`` lists them.
The exception is ``practice_rx_validate_referral``, a safety rule: when it
fails, the send is refused (fails closed) rather than made without the rule.

Every hook may also declare ``report``: a :class:`practice_rx.plugin_api.Report`
bound to the plugin and hook, with which a plugin warns of a problem it worked
around (a skipped row, a stale feed) while still answering. Warnings are listed
once each beside the errors, and do not make ``practice-rx plugins`` fail.

A plugin module declares the plugin API versions it supports, e.g.
``PRACTICE_RX_API = ">=1.1,<2"``; :data:`practice_rx.plugin_api.API_VERSION` is
this release's. A plugin whose range excludes it is reported and not loaded.

Families, as in datasette: ``practice_rx_register_*`` hooks return things to
add (called once at start-up); ``practice_rx_validate_*`` and
``practice_rx_referral_*`` hooks are called as referrals are worked on.
"""

from __future__ import annotations

from typing import Any

import pluggy

from practice_rx.plugin_api import ReferralAction, ReferralSnapshot, Report, StatusChange

hookspec = pluggy.HookspecMarker("practice_rx")


@hookspec
def practice_rx_register_referral_forms(report: Report) -> list[Any]:
    """Referral forms this plugin supplies.

    Called once at start-up. Each form is installed in the database by its
    ``(id, version)`` and kept for good, so referrals written on it stay
    readable after a new version ships. A changed form needs a new version.

    :param report: records a warning against this plugin without failing the answer
        (:class:`practice_rx.plugin_api.Report`); declare it only if you use it.
    :returns: a list of :class:`practice_rx.forms.FormDefinition`, or of plain
        dicts in the same shape (as read from a YAML or JSON file), which are
        checked with :func:`practice_rx.forms.form_from_dict`. Every form must
        ask the core fields (:data:`practice_rx.forms.core.CORE_FIELDS`); a form
        that does not is reported and skipped.
    """


@hookspec
def practice_rx_register_services(report: Report) -> list[Any]:
    """Services this plugin adds to the catalogue.

    Called once at start-up. Services are matched by ``(plugin, external_id)``:
    new ones are added, changed ones updated, and ones this plugin no longer
    returns are marked inactive (never deleted, as referrals may point at them).

    :param report: records a warning against this plugin without failing the answer
        (:class:`practice_rx.plugin_api.Report`); declare it only if you use it.
    :returns: a list of :class:`practice_rx.services.catalogue.ServiceDetails`,
        or of dicts with the same keys (e.g. rows read with
        :func:`practice_rx.catalogue_files.load_catalogue_file`). A row with a
        missing name or an unknown category is reported and skipped.
    """


@hookspec
def practice_rx_register_letter_templates(report: Report) -> list[Any]:
    """Letter templates this plugin supplies or replaces.

    Called once at start-up. A template whose ``kind`` matches a built-in one
    replaces it for that kind (the last registered plugin wins, so local areas
    override the national wording); each has an ``id`` and ``version`` that are
    recorded with every letter printed from it.

    :param report: records a warning against this plugin without failing the answer
        (:class:`practice_rx.plugin_api.Report`); declare it only if you use it.
    :returns: a list of :class:`practice_rx.letters.LetterTemplate`.
    """


@hookspec
def practice_rx_register_referral_actions(report: Report) -> list[ReferralAction]:
    """Buttons this plugin adds to the referral view.

    Called once at start-up. The UI shows each action whose
    :meth:`ReferralAction.applies_to` accepts the referral's status, and runs it
    off the GUI thread, showing the message it returns.

    :param report: records a warning against this plugin without failing the answer
        (:class:`practice_rx.plugin_api.Report`); declare it only if you use it.
    :returns: a list of :class:`practice_rx.plugin_api.ReferralAction`.
    """


@hookspec
def practice_rx_register_outcome_measures(report: Report) -> list[Any]:
    """Outcome measures (questionnaires) this plugin supplies.

    Called once at start-up, like the forms hook. Each measure is kept by its
    ``(id, version)`` so scores taken on it stay readable; a changed measure
    needs a new version. The built-in ``national`` plugin supplies the ONS ones
    (ONS4, the three-item UCLA loneliness scale, the direct loneliness question);
    a measure that needs a licence (WEMWBS, SWEMWBS) is installed by the area
    that holds the licence, with its own wording and conversion table.

    :param report: records a warning against this plugin without failing the answer
        (:class:`practice_rx.plugin_api.Report`); declare it only if you use it.
    :returns: a list of :class:`practice_rx.measures.MeasureDefinition`, or of dicts
        in the shape :func:`practice_rx.measures.measure_from_dict` reads. A bad one
        is reported with every problem and skipped.
    """


@hookspec
def practice_rx_register_plan_sections(report: Report) -> list[Any]:
    """Sections this plugin adds to the personalised care and support plan.

    Called once at start-up. A section has the shape of a referral form's section
    (``key``, ``title``, optional ``help``, ``fields``); the link worker fills it in
    with the rest of the plan, its answers are kept with each plan version, and it
    is printed on the person's copy. Section keys are shared by all plugins: a
    second section with a key already used is reported and skipped.

    :param report: records a warning against this plugin without failing the answer
        (:class:`practice_rx.plugin_api.Report`); declare it only if you use it.
    :returns: a list of :class:`practice_rx.forms.Section`, or of dicts in a form
        section's shape.
    """


@hookspec
def practice_rx_register_delivery_channels(report: Report) -> list[Any]:
    """Ways of delivering a referral this plugin adds (email, a regional hub…).

    Called once at start-up. Each channel is an object with
    ``name: str`` (what a service's delivery method names, unique),
    ``send(to_mailbox, files, local_id) -> DeliveryResult`` and
    ``poll_acknowledgement(message_id) -> DeliveryState``: the shape of
    :class:`practice_rx.delivery.DeliveryChannel`. ``send`` must be safe to
    call again with the same local id, and raise a ``DeliveryError`` (with
    text free of patient identifiers) when nothing or not everything went.
    A channel may also have ``bind(from_address, workflow_id)``, returning the
    channel to use for one practice's address and one service's workflow (the
    built-in ``mesh`` channel does: each practice has its own mailbox).

    Channels are called outside database transactions and, in the app, from a
    worker thread. An exception that is not a ``DeliveryError`` is recorded
    against the plugin, and the delivery is marked failed with a plain message;
    the referral itself is never changed by a delivery.

    :param report: records a warning against this plugin without failing the answer
        (:class:`practice_rx.plugin_api.Report`); declare it only if you use it.
    :returns: a list of channels; one that lacks the shape, or repeats a name,
        is reported and skipped.
    """


@hookspec(firstresult=True)
def practice_rx_default_form_id(report: Report) -> str | None:
    """The id of the form a new referral starts on, when the practice has not chosen one.

    Stops at the first non-None result; plugins registered later are asked
    first, so an installed local-area plugin wins over the built-in ``national``.

    :param report: records a warning against this plugin without failing the answer
        (:class:`practice_rx.plugin_api.Report`); declare it only if you use it.
    :returns: a form id, or None to leave the choice to other plugins.
    """


@hookspec
def practice_rx_validate_referral(
    referral: ReferralSnapshot, report: Report,
) -> dict[str, str] | None:
    """Extra checks a local area applies before a referral is sent.

    Called when a referral is about to be sent, after the core checks. Any
    problems stop the send and are shown beside the fields they name.

    Unlike the other hooks, a failure here fails closed: if this hook raises, or
    returns something other than a mapping of strings to strings, the send is
    refused with a message naming the plugin and saying that an administrator
    can switch it off (Tools › Plugins, or ``disabled_plugins`` in the settings
    file, then a restart). Nothing is saved: the referral stays a draft. The
    error itself is recorded against the plugin, as for the other hooks.

    :param referral: the referral as it will be sent.
    :param report: records a warning against this plugin without failing the answer
        (:class:`practice_rx.plugin_api.Report`); declare it only if you use it.
    :returns: a mapping of field key to a message naming the field and what is
        expected, or None (or an empty mapping) when all is well.
    """


@hookspec
def practice_rx_referral_status_changed(change: StatusChange, report: Report) -> None:
    """A referral's status changed; it has already been saved.

    Called after the change is committed, e.g. to export it or send a message.
    Nothing a plugin does here can undo the change; an exception is recorded.

    :param change: the change, with the referral as it is now.
    :param report: records a warning against this plugin without failing the answer
        (:class:`practice_rx.plugin_api.Report`); declare it only if you use it.
    """
