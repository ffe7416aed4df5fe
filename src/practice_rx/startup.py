"""Starting PracticeRx: open the database, load the plugins, install what they supply.

The CLI, the Qt application and the tests all start through :func:`start`, so
they see the same forms, catalogue and plugin problems.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import EntryPoint

from practice_rx.domain.calendar import utcnow
from practice_rx.plugin_host import PluginHost
from practice_rx.services import Services
from practice_rx.services.catalogue import SyncReport
from practice_rx.settings import Settings
from practice_rx.storage.database import Database


@dataclass
class App:
    """Everything a front end needs: the services, the plugins and the settings."""

    services: Services
    plugins: PluginHost
    settings: Settings
    catalogue_sync: SyncReport

    def close(self) -> None:
        self.services.db.close()


def start(
    database_url: str | None = None,
    settings: Settings | None = None,
    *,
    discovered: Iterable[EntryPoint] | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> App:
    """Open (and migrate) the database, load plugins and sync their forms and services."""
    settings = settings or Settings.load()
    db = Database.open(database_url or settings.resolved_database_url())
    try:
        plugins = PluginHost(disabled=settings.disabled_plugins, discovered=discovered)
        services = Services(db, clock, hooks=plugins, letter_templates=[
            template for _, template in plugins.letter_templates()],
            plan_sections=plugins.plan_sections(),
            delivery_channels=plugins.delivery_channels())
        for plugin, problem in services.forms.sync(plugins.forms()):
            plugins.record(plugin, "practice_rx_register_referral_forms", problem)
        for plugin, problem in services.outcome_measures.sync(plugins.outcome_measures()):
            plugins.record(plugin, "practice_rx_register_outcome_measures", problem)
        catalogues = plugins.catalogues()
        report = services.catalogue.sync(catalogues.services, keep=catalogues.failed)
    except Exception:
        db.close()
        raise
    return App(services, plugins, settings, report)


def check_plugins(
    database_url: str | None = None,
    settings: Settings | None = None,
    *,
    discovered: Iterable[EntryPoint] | None = None,
) -> tuple[PluginHost, str]:
    """Load the plugins and ask every registration hook, writing nothing anywhere.

    Forms are compared with those installed in the database when there is one at
    this schema (opened read-only); otherwise that comparison is skipped, and the
    second value says why. ``practice-rx plugins`` shows the result, so checking a
    half-finished plugin never installs its form for good.
    """
    from practice_rx.errors import PracticeRxError
    from practice_rx.services.forms import FormService

    settings = settings or Settings.load()
    plugins = PluginHost(disabled=settings.disabled_plugins, discovered=discovered)
    forms = plugins.forms()
    plugins.catalogues()
    plugins.letter_templates()
    plugins.referral_actions()
    plugins.default_form_id()
    plugins.outcome_measures()
    plugins.plan_sections()
    plugins.delivery_channels()
    url = database_url or settings.resolved_database_url()
    try:
        db = Database.open(url, read_only=True)
    except PracticeRxError as error:
        return plugins, f"Forms were not compared with a database: {error}"
    try:
        from practice_rx.services.audit import AuditWriter

        checker = FormService(db, utcnow, AuditWriter("plugins check"))
        for plugin, problem in checker.check(forms):
            plugins.record(plugin, "practice_rx_register_referral_forms", problem)
    finally:
        db.close()
    return plugins, f"Forms were compared with those installed in {db.url}."


def default_form(app: App) -> tuple[str, int] | None:
    """The (id, version) a new referral starts on: the plugins' choice, else the first form."""
    available = {record.form_id: record.version for record in app.services.forms.available()}
    preferred = app.plugins.default_form_id()
    if preferred in available:
        return preferred, available[preferred]
    return next(iter(available.items()), None)
