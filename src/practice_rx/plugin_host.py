"""Finding, loading and calling plugins, each call isolated from the rest.

A typed wrapper over pluggy, as tox does it: the rest of PracticeRx calls one
method per hook and never ``pm.hook.*``. Like napari's plugin engine, every
implementation is called on its own: an exception or a malformed answer is
recorded as a :class:`PluginError` (plugin, hook, message) and skipped, so one
broken plugin never takes the application down. A plugin's own warnings (through
the ``report`` argument) are kept apart from its errors, and each distinct
problem is kept once however often it recurs.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Any

import pluggy
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from practice_rx import hookspecs
from practice_rx.catalogue_files import first_of_each_id, service_from_row
from practice_rx.delivery import DeliveryChannel, DeliveryError
from practice_rx.domain.letter_kinds import LetterKind
from practice_rx.errors import ValidationError
from practice_rx.forms import FormDefinition, FormDefinitionError, Section, form_from_dict
from practice_rx.measures import MeasureDefinition, MeasureDefinitionError, measure_from_dict
from practice_rx.plugin_api import (
    API_VERSION,
    ActionResult,
    ReferralAction,
    ReferralSnapshot,
    Report,
    StatusChange,
)
from practice_rx.services.catalogue import ServiceDetails

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "practice_rx"
BUILTIN_PLUGINS: dict[str, str] = {"national": "practice_rx.plugins.national"}
SLOW_CALL_SECONDS = 2.0
API_ATTRIBUTE = "PRACTICE_RX_API"


def rule_failed(plugin: str) -> str:
    """Why a send was refused when a plugin's safety rule failed, and what an admin can do.

    Names no patient: the plugin's own error (which might) is only in its problems.
    """
    return (f"the '{plugin}' plugin's referral check failed, so the referral was not "
            f"checked and cannot be sent. An administrator can switch the plugin off in "
            f"Tools › Plugins, or with disabled_plugins = [\"{plugin}\"] in the settings "
            f"file (settings.toml), then restart PracticeRx; the plugin's problem is listed "
            f"there.")


def suggested_range() -> str:
    """The range a plugin written now should declare: this version up to the next major."""
    major = int(API_VERSION.split(".")[0])
    return f">={API_VERSION},<{major + 1}"


@dataclass(frozen=True)
class PluginError:
    """A problem with a plugin: an error (its answer was not used) or, when ``warning``,
    something the plugin reported itself while still answering."""

    plugin: str
    hook: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        return f"{self.plugin} ({self.hook}): {self.message}"


@dataclass
class PluginInfo:
    """One plugin as ``practice-rx plugins`` and the plugins view show it."""

    name: str
    version: str
    source: str
    builtin: bool
    enabled: bool
    #: enabled, imported, compatible and registered: its hooks are called
    loaded: bool = False
    hooks: list[str] = field(default_factory=list)
    errors: list[PluginError] = field(default_factory=list)
    warnings: list[PluginError] = field(default_factory=list)


@dataclass(frozen=True)
class Catalogues:
    """What the catalogue hooks gave: services per plugin, and the plugins whose hook failed."""

    services: dict[str, list[ServiceDetails]]
    failed: frozenset[str] = frozenset()


class PluginHost:
    """The loaded plugins, and one isolated method per hook."""

    def __init__(
        self,
        disabled: Iterable[str] = (),
        discovered: Iterable[EntryPoint] | None = None,
        builtins: Mapping[str, str] = BUILTIN_PLUGINS,
    ) -> None:
        self.pm = pluggy.PluginManager("practice_rx")
        self.pm.add_hookspecs(hookspecs)
        self.errors: list[PluginError] = []
        self.warnings: list[PluginError] = []
        self._info: dict[str, PluginInfo] = {}
        disabled = set(disabled)
        for name, module in builtins.items():
            self._load(name, lambda module=module: importlib.import_module(module),
                       version="built in", source=module, builtin=True,
                       enabled=name not in disabled)
        if discovered is None:  # by name, so which plugin is asked first never depends on
            discovered = sorted(entry_points(group=ENTRY_POINT_GROUP),  # install order
                                key=lambda entry: entry.name)
        for entry in discovered:
            version = entry.dist.version if entry.dist is not None else ""
            self._load(entry.name, entry.load, version=version, source=entry.value,
                       builtin=False, enabled=entry.name not in disabled)
        self._drop_unknown_hooks()

    # -- loading -------------------------------------------------------------------

    def _load(self, name: str, load: Callable[[], object], *, version: str, source: str,
              builtin: bool, enabled: bool) -> None:
        if name in self._info:
            self.record(name, "load", f"another plugin is already called '{name}'; skipped")
            return
        self._info[name] = PluginInfo(name, version, source, builtin, enabled)
        if not enabled:
            return
        try:
            plugin = load()
        except Exception as error:  # a plugin may fail to import in any way at all
            self.record(name, "load", f"cannot be imported: {type(error).__name__}: {error}")
            return
        if not self._compatible(name, plugin):
            return
        try:
            self.pm.register(plugin, name=name)
        except (pluggy.PluginValidationError, ValueError) as error:
            self.record(name, "load", f"cannot be registered: {error}")
            return
        self._info[name].loaded = True

    def _compatible(self, name: str, plugin: object) -> bool:
        """Whether the plugin supports this API version (one that does not say is
        loaded, with a warning); an incompatible plugin is an error and not used."""
        declared = getattr(plugin, API_ATTRIBUTE, None)
        if declared is not None and not self._has_upper_bound(str(declared)):
            self.record(name, "load", f"{API_ATTRIBUTE} = {declared!r} has no upper bound, so "
                        f"it claims every future plugin API, which may remove what it uses; "
                        f"declare e.g. \"{suggested_range()}\"", warning=True)
        if declared is None:
            self.record(name, "load", f"declares no plugin API range; add "
                        f"{API_ATTRIBUTE} = \"{suggested_range()}\" to the plugin module "
                        f"(this PracticeRx provides API {API_VERSION})", warning=True)
            return True
        try:
            supported = SpecifierSet(str(declared))
        except InvalidSpecifier:
            self.record(name, "load", f"{API_ATTRIBUTE} = {declared!r} is not a version range "
                        f"such as \">=1.1,<2\"; the plugin is not used")
            return False
        if API_VERSION not in supported:
            self.record(name, "load", f"supports plugin API {supported}, but this PracticeRx "
                        f"provides {API_VERSION}; the plugin is not used (install a version "
                        f"of it made for this PracticeRx)")
            return False
        return True

    @staticmethod
    def _has_upper_bound(declared: str) -> bool:
        """Whether the range stops before the next major API version."""
        try:
            supported = SpecifierSet(declared)
        except InvalidSpecifier:
            return True  # reported as not a range below
        major = int(API_VERSION.split(".")[0])
        return f"{major + 1}.0" not in supported and f"{major + 10}.0" not in supported

    def _drop_unknown_hooks(self) -> None:
        while True:
            try:
                self.pm.check_pending()
                return
            except pluggy.PluginValidationError as error:
                name = self.pm.get_name(error.plugin) or "?"
                self.record(name, "load", f"{error}; the plugin is not used")
                self.pm.unregister(error.plugin)
                if name in self._info:
                    self._info[name].loaded = False

    def record(self, plugin: str, hook: str, message: str, *, warning: bool = False) -> None:
        """Keep a problem once, however often it recurs (a rule runs on every send).

        The log names only the plugin and hook: a plugin's message may quote a
        referral, and the problems are shown where only staff see them.
        """
        problem = PluginError(plugin, hook, message, warning)
        kept = self.warnings if warning else self.errors
        if problem in kept:
            return
        kept.append(problem)
        if plugin in self._info:
            info = self._info[plugin]
            (info.warnings if warning else info.errors).append(problem)
        log.debug("plugin %s: %s in %s", "warning" if warning else "problem", plugin, hook)

    def _report(self, plugin: str, hook: str) -> Report:
        return Report(lambda message: self.record(plugin, hook, message, warning=True))

    def _arguments(self, impl: Any, hook: str, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """The arguments an implementation declared, with its own ``report``."""
        return {name: self._report(impl.plugin_name, hook) if name == "report" else kwargs[name]
                for name in impl.argnames}

    def info(self) -> list[PluginInfo]:
        for name, info in self._info.items():
            plugin = self.pm.get_plugin(name)
            info.hooks = sorted(
                caller.name for caller in self.pm.get_hookcallers(plugin) or []
            ) if plugin is not None else []
        return list(self._info.values())

    # -- calling -------------------------------------------------------------------

    def _call(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call each implementation (in pluggy's order) on its own; skip the failures."""
        results = []
        for impl in reversed(getattr(self.pm.hook, hook).get_hookimpls()):
            if impl.wrapper or impl.hookwrapper:
                self.record(impl.plugin_name, hook, "hook wrappers are not supported; skipped")
                continue
            started = time.perf_counter()
            try:
                result = impl.function(**self._arguments(impl, hook, kwargs))
            except Exception as error:
                self.record(impl.plugin_name, hook, f"raised {type(error).__name__}: {error}")
                continue
            finally:
                seconds = time.perf_counter() - started
                if seconds > SLOW_CALL_SECONDS:
                    self.record(impl.plugin_name, hook, f"took {seconds:.1f} s; keep hooks fast")
            if result is not None:
                results.append((impl.plugin_name, result))
        return results

    def _lists(self, hook: str) -> Iterable[tuple[str, Any]]:
        """Each item of each plugin's list answer, recording answers that are not lists."""
        for plugin, result in self._call(hook):
            if not isinstance(result, (list, tuple)):
                self.record(plugin, hook, f"returned {type(result).__name__}, expected a list")
                continue
            for item in result:
                yield plugin, item

    def forms(self) -> list[tuple[str, FormDefinition]]:
        hook = "practice_rx_register_referral_forms"
        forms = []
        for plugin, item in self._lists(hook):
            if isinstance(item, FormDefinition):
                forms.append((plugin, item))
            elif isinstance(item, Mapping):
                try:
                    forms.append((plugin, form_from_dict(item, source=f"plugin {plugin}")))
                except FormDefinitionError as error:
                    self.record(plugin, hook, str(error))
            else:
                self.record(plugin, hook, f"returned a {type(item).__name__}, expected a form")
        return forms

    def outcome_measures(self) -> list[tuple[str, MeasureDefinition]]:
        """Each plugin's checked measures; a bad one is recorded with all its problems."""
        hook = "practice_rx_register_outcome_measures"
        measures = []
        for plugin, item in self._lists(hook):
            if isinstance(item, MeasureDefinition):
                measures.append((plugin, item))
            elif isinstance(item, Mapping):
                try:
                    measures.append((plugin, measure_from_dict(item, source=f"plugin {plugin}")))
                except MeasureDefinitionError as error:
                    self.record(plugin, hook, str(error))
            else:
                self.record(plugin, hook, f"returned a {type(item).__name__}, expected a measure")
        return measures

    def plan_sections(self) -> list[tuple[str, Section]]:
        """Each plugin's plan sections, checked as a form's sections are; a key already used
        by an earlier section is recorded and skipped."""
        hook = "practice_rx_register_plan_sections"
        sections: dict[str, tuple[str, Section]] = {}
        for plugin, item in self._lists(hook):
            data = item.to_dict() if isinstance(item, Section) else item
            if not isinstance(data, Mapping):
                self.record(plugin, hook, f"returned a {type(item).__name__}, expected a section")
                continue
            try:
                [section] = form_from_dict({"id": "plan_section", "version": 1,
                                            "title": "Plan section", "sections": [dict(data)]},
                                           source=f"plugin {plugin}").sections
            except FormDefinitionError as error:
                found = "; ".join(problem.replace("sections[0]", "section", 1)
                                  for problem in error.problems)
                self.record(plugin, hook, f"a plan section is not valid: {found}")
                continue
            if section.key in sections:
                owner = sections[section.key][0]
                self.record(plugin, hook, f"plan section '{section.key}' is already added by "
                                          f"'{owner}'; skipped")
                continue
            sections[section.key] = (plugin, section)
        return list(sections.values())

    def services(self) -> dict[str, list[ServiceDetails]]:
        """Every enabled plugin's services (an empty list for a plugin with none)."""
        return self.catalogues().services

    def catalogues(self) -> Catalogues:
        """Each plugin's checked services, and which plugins' hooks failed.

        A hook that raised, returned something other than a list, or returned
        only bad items is a failure, not an empty catalogue: the sync keeps that
        plugin's last good catalogue instead of hiding every service. So is an
        enabled plugin that could not be loaded (it failed to import, or supports
        another plugin API version): its services stay as they were until it loads.
        """
        hook = "practice_rx_register_services"
        since = len(self.errors)  # problems recorded by this call start here
        loaded = [name for name, info in self._info.items()
                  if info.enabled and self.pm.get_plugin(name) is not None]
        services: dict[str, list[ServiceDetails]] = {name: [] for name in loaded}
        answered: set[str] = set()
        for plugin, result in self._call(hook):
            if not isinstance(result, (list, tuple)):
                self.record(plugin, hook, f"returned {type(result).__name__}, expected a list")
                continue
            checked = self._checked_services(plugin, hook, result)
            if checked or not result:
                services[plugin] = checked
                answered.add(plugin)
        implementers = {impl.plugin_name for impl in getattr(self.pm.hook, hook).get_hookimpls()}
        failed = frozenset((implementers & set(services)) - answered)
        for plugin in sorted(failed):
            del services[plugin]
            self._add_to_problem(plugin, hook, since, "no usable catalogue this time; the "
                                 "services from the last good catalogue are kept")
        not_loaded = frozenset(name for name, info in self._info.items()
                               if info.enabled and not info.loaded)
        return Catalogues(services, failed | not_loaded)

    def _add_to_problem(self, plugin: str, hook: str, since: int, consequence: str) -> None:
        """Say what a failure led to in the same problem, so one failure is one problem
        (recorded anew only when nothing was recorded for it since ``since``)."""
        for index in range(len(self.errors) - 1, since - 1, -1):
            problem = self.errors[index]
            if (problem.plugin, problem.hook) == (plugin, hook):
                amended = PluginError(plugin, hook, f"{problem.message}; {consequence}")
                self.errors[index] = amended
                if plugin in self._info:
                    own = self._info[plugin].errors
                    own[own.index(problem)] = amended
                return
        self.record(plugin, hook, consequence)

    def _checked_services(self, plugin: str, hook: str,
                          items: Iterable[Any]) -> list[ServiceDetails]:
        """The good items, first of each external id; each bad or repeated one recorded."""
        good: list[tuple[str, ServiceDetails]] = []
        for number, item in enumerate(items, start=1):
            where = f"service {number}"
            try:
                if isinstance(item, ServiceDetails):
                    item.check()
                    details = item
                else:
                    details = service_from_row(item, where)
            except ValidationError as error:
                self.record(plugin, hook, str(error))
                continue
            good.append((where, details))
        kept, repeats = first_of_each_id(good)
        for message in repeats:
            self.record(plugin, hook, message)
        return kept

    def letter_templates(self) -> list[tuple[str, Any]]:
        hook = "practice_rx_register_letter_templates"
        templates = []
        kinds = {kind.value for kind in LetterKind}
        for plugin, item in self._lists(hook):
            missing = [a for a in ("id", "version", "kind", "render") if not hasattr(item, a)]
            if missing or not callable(getattr(item, "render", None)):
                needs = ", ".join(missing) or "a callable render"
                self.record(plugin, hook, f"a letter template needs {needs}")
            elif str(item.kind) not in kinds:
                self.record(plugin, hook, f"letter kind '{item.kind}' is unknown; use one of "
                                          f"{', '.join(sorted(kinds))}")
            else:
                templates.append((plugin, item))
        return templates

    def referral_actions(self) -> list[ReferralAction]:
        hook = "practice_rx_register_referral_actions"
        actions: dict[str, ReferralAction] = {}
        for plugin, item in self._lists(hook):
            if not isinstance(item, ReferralAction) or not callable(item.run):
                self.record(plugin, hook, f"returned a {type(item).__name__}, expected a ReferralAction")
            elif item.id in actions:
                self.record(plugin, hook, f"action id '{item.id}' is already used; skipped")
            else:
                actions[item.id] = item
        return list(actions.values())

    def delivery_channels(self) -> dict[str, DeliveryChannel]:
        """Each plugin's delivery channels by name, every call to one isolated; a channel
        without the :class:`DeliveryChannel` shape, or whose name is taken (by a built-in
        channel, or a plugin asked earlier), is recorded and skipped."""
        hook = "practice_rx_register_delivery_channels"
        channels: dict[str, DeliveryChannel] = {}
        owners: dict[str, str] = {}
        # The built-in channels first, so no plugin can take over the name "mesh".
        answers = sorted(self._lists(hook), key=lambda answer: not (
            answer[0] in self._info and self._info[answer[0]].builtin))
        for plugin, item in answers:
            name = getattr(item, "name", None)
            if not isinstance(item, DeliveryChannel) or not (isinstance(name, str) and name):
                self.record(plugin, hook, f"returned a {type(item).__name__}, expected a "
                                          "delivery channel (a name, send and "
                                          "poll_acknowledgement)")
            elif name in channels:
                self.record(plugin, hook, f"delivery channel '{name}' is already added by "
                                          f"'{owners[name]}'; skipped")
            else:
                channels[name] = IsolatedChannel(self, plugin, item)
                owners[name] = plugin
        return channels

    def run_action(self, action: ReferralAction, referral: ReferralSnapshot) -> ActionResult:
        """Run a plugin's action; a failure becomes a message, never an exception."""
        try:
            result = action.run(referral)
        except Exception as error:
            self.record(action.id, "run_action", f"raised {type(error).__name__}: {error}")
            return ActionResult(f"'{action.label}' failed: {error}", ok=False)
        return result if isinstance(result, ActionResult) else ActionResult(str(result))

    def default_form_id(self) -> str | None:
        """The first plugin's non-None answer (later-registered plugins are asked first).

        Two installed plugins that both choose a default are a clash the practice
        should know of: the one whose choice is not used gets a warning naming the
        one that won (the built-in ``national`` plugin expects to be overridden).
        """
        hook = "practice_rx_default_form_id"
        chosen: tuple[str, str] | None = None
        for plugin, result in self._call(hook):
            if not (isinstance(result, str) and result):
                self.record(plugin, hook, f"returned {result!r}, expected a form id")
            elif chosen is None:
                chosen = (plugin, result)
            elif plugin not in self._info or not self._info[plugin].builtin:
                self.record(plugin, hook, f"its default form '{result}' is not used: the "
                            f"'{chosen[0]}' plugin's '{chosen[1]}' is (it is registered after "
                            f"this one); the practice can choose the form in a new referral",
                            warning=True)
        return chosen[1] if chosen else None

    # -- the service layer's hooks (see services.referrals.ReferralHooks) ------------

    def validate_referral(self, referral: ReferralSnapshot) -> dict[str, str]:
        """Every plugin's problems with the referral, failing closed: a safety rule that
        cannot be run (it raises or answers in the wrong shape) refuses the send too,
        under the key ``plugin:<name>``, which no form field can have."""
        hook = "practice_rx_validate_referral"
        problems: dict[str, str] = {}
        for impl in reversed(getattr(self.pm.hook, hook).get_hookimpls()):
            answer = self._rule_answer(impl, hook, referral)
            if answer is None:
                problems[f"plugin:{impl.plugin_name}"] = rule_failed(impl.plugin_name)
                continue
            for key, message in answer.items():
                problems.setdefault(key, message)
        return problems

    def _rule_answer(self, impl: Any, hook: str,
                     referral: ReferralSnapshot) -> dict[str, str] | None:
        """One plugin's problems ({} for none), or None when its rule failed (recorded)."""
        if impl.wrapper or impl.hookwrapper:
            self.record(impl.plugin_name, hook, "hook wrappers are not supported; send refused")
            return None
        try:
            result = impl.function(**self._arguments(impl, hook, {"referral": referral}))
        except Exception as error:  # any failure of a safety rule refuses the send
            self.record(impl.plugin_name, hook,
                        f"raised {type(error).__name__}: {error}; send refused")
            return None
        if result is None:
            return {}
        if not isinstance(result, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in result.items()
        ):
            self.record(impl.plugin_name, hook,
                        "expected a mapping of field key to message; send refused")
            return None
        return dict(result)

    def status_changed(self, change: StatusChange) -> None:
        self._call("practice_rx_referral_status_changed", change=change)


class IsolatedChannel:
    """A plugin's delivery channel, called through the host: a failure that is not a
    :class:`DeliveryError` is recorded against the plugin and becomes one, with a plain
    message (the plugin's own text, which may quote a referral, goes only to its problems)."""

    def __init__(self, host: PluginHost, plugin: str, channel: Any) -> None:
        self.host = host
        self.plugin = plugin
        self.channel = channel
        self.name: str = channel.name

    def bind(self, from_address: str | None, workflow_id: str | None) -> IsolatedChannel:
        """The channel for one sender and workflow, if the plugin's channel has ``bind``."""
        bind = getattr(self.channel, "bind", None)
        if not callable(bind):
            return self
        bound = self._isolated("bind", "", lambda: bind(from_address, workflow_id))
        return IsolatedChannel(self.host, self.plugin, bound)

    def send(self, to_mailbox: str, files: Any, local_id: str) -> Any:
        return self._isolated("send", to_mailbox,
                              lambda: self.channel.send(to_mailbox, files, local_id))

    def poll_acknowledgement(self, message_id: str) -> Any:
        return self._isolated("poll_acknowledgement", "",
                              lambda: self.channel.poll_acknowledgement(message_id))

    def _isolated(self, method: str, address: str, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except DeliveryError:
            raise
        except Exception as error:  # a plugin's channel may fail in any way at all
            self.host.record(self.plugin, f"delivery channel '{self.name}' {method}",
                             f"raised {type(error).__name__}: {error}")
            raise DeliveryError(
                f"The '{self.name}' delivery channel (plugin '{self.plugin}') failed "
                f"unexpectedly ({type(error).__name__}) in {method}; whether anything was "
                f"delivered is not known. The problem is listed in Tools › Plugins; send "
                f"again once the plugin is fixed.", mailbox=address) from error
