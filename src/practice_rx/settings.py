"""Where PracticeRx keeps its files, and the workstation's settings files.

The embedded SQLite database lives in the user's data folder (platformdirs);
``PRACTICE_RX_DATABASE_URL`` or ``database_url`` in the settings file points a
workstation at a shared PostgreSQL server instead.

Two files are read: the machine-wide one an IT provider deploys to every PC
(:func:`site_settings_path`: ``C:\\ProgramData\\practice-rx\\settings.toml`` on Windows,
``/etc/xdg/practice-rx/settings.toml`` on Linux), then the user's own, which overrides it
key by key, except that plugins switched off machine-wide stay off (a safety decision is
added to, never undone, by a user's list) and the keys the machine-wide file names in
``locked`` are its alone.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w

from practice_rx.errors import PracticeRxError, ValidationError

log = logging.getLogger(__name__)
APP_NAME = "practice-rx"
DATABASE_URL_ENV = "PRACTICE_RX_DATABASE_URL"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def settings_path() -> Path:
    return config_dir() / "settings.toml"


def site_config_dir() -> Path:
    """The machine-wide folder, for every user of the PC (XDG_CONFIG_DIRS' first on Linux)."""
    return Path(platformdirs.site_config_dir(APP_NAME, appauthor=False))


def site_settings_path() -> Path:
    return site_config_dir() / "settings.toml"


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / 'practice-rx.sqlite3'}"


IDLE_LOCK_RANGE = (1, 120)  # minutes: at least one, at most two hours unattended
MESH_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")
MESH_WORKFLOW = re.compile(r"^[A-Z0-9_]{1,64}$")
MESH_PATH_KEYS = ("mesh_client_cert", "mesh_client_key", "mesh_ca_bundle")


@dataclass
class Settings:
    """What one workstation remembers between runs.

    The file is checked on load, each wrong value named with its key, and written
    readable by this user alone (0600), never with a database password in it (that
    goes to the keyring: :mod:`practice_rx.passwords`).
    """

    database_url: str = ""
    disabled_plugins: list[str] = field(default_factory=list)
    idle_lock_minutes: int = 10
    #: where the audit trail's key is kept, if not the config folder (services.audit_key)
    audit_key_file: str = ""
    #: MESH (delivery of referrals): the server, the default workflow, and the files for
    #: mutual TLS; the mailbox password and shared key are in the keyring (delivery.secrets)
    mesh_url: str = ""
    mesh_workflow_id: str = ""
    mesh_client_cert: str = ""
    mesh_client_key: str = ""
    mesh_ca_bundle: str = ""
    #: what the machine-wide file set (save() leaves these out of the user's file)
    site: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    #: the keys the machine-wide file fixes: the user's file cannot change them
    locked: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)
    site_file: Path | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def setting_names(cls) -> list[str]:
        """The settings a file may hold (not the bookkeeping of where they came from)."""
        return [name for name, spec in cls.__dataclass_fields__.items() if spec.init]

    @classmethod
    def load(cls, path: Path | None = None, site_path: Path | None = None) -> Settings:
        """The machine-wide file, then the user's over it (``path``: the user's file)."""
        path = path or settings_path()
        site_path = site_path or site_settings_path()
        site, locked = cls._site_values(site_path)
        user = cls._values(path) if path.exists() else {}
        defaults = cls()
        for key in list(user):
            if key in locked:
                log.warning("settings file %s: '%s' is set for every user of this computer "
                            "in %s (locked there); the value here is ignored", path, key,
                            site_path)
                del user[key]
            elif key in site and key != "disabled_plugins" and user[key] == getattr(
                    defaults, key):  # files saved before the site file listed every key
                del user[key]
        merged = {**site, **user}
        if "disabled_plugins" in site and isinstance(user.get("disabled_plugins"), list):
            merged["disabled_plugins"] = site["disabled_plugins"] + [
                name for name in user["disabled_plugins"]
                if name not in site["disabled_plugins"]]
        settings = cls(**merged)
        settings.check(path if path.exists() else site_path)
        settings.site, settings.locked = site, frozenset(locked)
        settings.site_file = site_path if site_path.exists() else None
        return settings

    @classmethod
    def _values(cls, path: Path, *, site: bool = False) -> dict[str, Any]:
        """One file's known settings, an unknown key warned of and left out."""
        data = _read(path)
        for key in data.keys() - set(cls.setting_names()) - {"locked"}:
            log.warning("settings file %s: '%s' is not a setting this PracticeRx knows; "
                        "it is ignored", path, key)
        if "locked" in data and not site:
            log.warning("settings file %s: 'locked' is read only from the machine-wide "
                        "file (%s); it is ignored here", path, site_settings_path())
        known = {key: value for key, value in data.items() if key in cls.setting_names()}
        url = known.get("database_url")
        if isinstance(url, str) and url and _has_password(url):
            log.warning("settings file %s holds a database password: open Settings and save "
                        "to move it to the keyring", path)
        return known

    @classmethod
    def _site_values(cls, site_path: Path) -> tuple[dict[str, Any], list[str]]:
        """The machine-wide file's settings, checked on their own, and its ``locked`` keys."""
        if not site_path.exists():
            return {}, []
        locked = _read(site_path).get("locked", [])
        if not (isinstance(locked, list) and all(key in cls.setting_names() for key in locked)):
            raise _bad(f"Settings file {site_path}", "locked", "a list of setting names, "
                       f"such as [\"database_url\"]; they are: {', '.join(cls.setting_names())}",
                       shown=locked)
        site = cls._values(site_path, site=True)
        cls(**site).check(site_path)
        return site, locked

    def check(self, path: Path | None = None) -> None:
        """Each value's type and range; the message names the file and the key."""
        where = f"Settings file {path or settings_path()}"
        if not isinstance(self.database_url, str):
            raise _bad(where, "database_url", "a URL in quotes, or \"\" for the default")
        if self.database_url:
            from practice_rx.storage.urls import parse_url

            try:
                parse_url(self.database_url)
            except PracticeRxError as error:
                raise ValidationError.single(
                    "database_url", f"{where}: database_url: {error}") from None
        if not (isinstance(self.disabled_plugins, list)
                and all(isinstance(name, str) for name in self.disabled_plugins)):
            raise _bad(where, "disabled_plugins", 'a list of plugin names, such as ["south-leeds"]')
        if not isinstance(self.audit_key_file, str):
            raise _bad(where, "audit_key_file", "the path of a file, in quotes")
        self._check_mesh(where)
        low, high = IDLE_LOCK_RANGE
        minutes = self.idle_lock_minutes
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not low <= minutes <= high:
            raise _bad(where, "idle_lock_minutes", f"a whole number of minutes from {low} to "
                       f"{high}, such as 10", shown=minutes)

    def _check_mesh(self, where: str) -> None:
        """The MESH settings: text, a web address, a workflow id, the TLS files in pairs."""
        for key in MESH_PATH_KEYS + ("mesh_url", "mesh_workflow_id"):
            if not isinstance(getattr(self, key), str):
                raise _bad(where, key, "text in quotes, or \"\" if not used",
                           shown=getattr(self, key))
        if self.mesh_url and not MESH_URL.match(self.mesh_url):
            raise _bad(where, "mesh_url", "the MESH server's address starting https:// (or "
                       "http:// for a local test server), such as "
                       "\"https://msg.intspineservices.nhs.uk\"", shown=self.mesh_url)
        if self.mesh_workflow_id and not MESH_WORKFLOW.match(self.mesh_workflow_id):
            raise _bad(where, "mesh_workflow_id", "a MESH workflow id: 1 to 64 capital "
                       "letters, digits and _ (such as \"GPFED_REFERRAL\")",
                       shown=self.mesh_workflow_id)
        if bool(self.mesh_client_cert) != bool(self.mesh_client_key):
            missing = "mesh_client_key" if self.mesh_client_cert else "mesh_client_cert"
            raise _bad(where, missing, "set too: the client certificate and its key go "
                       "together (both file paths, or neither)")

    def save(self, path: Path | None = None) -> None:
        """Write the user's file atomically, 0600, with any password taken out of the URL.

        Only the user's own: what the machine-wide file set (unchanged), its locked keys
        and the plugins it switched off are left to it, so a change there reaches this
        user too. A locked key changed is refused, naming the file that locks it.
        """
        path = path or settings_path()
        defaults = Settings()
        for key in sorted(self.locked):
            if getattr(self, key) != self.site.get(key, getattr(defaults, key)):
                raise ValidationError.single(key, f"{key} is set for every user of this "
                                             f"computer in {self.site_file} (locked there); "
                                             "it cannot be changed here")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = {key: value for key, value in asdict(self).items() if key in self.setting_names()}
        data["database_url"] = without_password(self.database_url)
        for key, value in self.site.items():
            if key == "disabled_plugins":
                data[key] = [name for name in data[key] if name not in value]
            elif data.get(key) == value:
                del data[key]
        for key in self.locked:
            data.pop(key, None)
        temporary = path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)  # also when an old .tmp was left with other rights
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(tomli_w.dumps(data))
            file.flush()
            os.fsync(file.fileno())
        temporary.replace(path)

    def database_url_source(self) -> str:
        """Where :meth:`resolved_database_url` got the URL, for a person checking that this
        PC opens the right database (an IT provider's file reaches every PC at once)."""
        if os.environ.get(DATABASE_URL_ENV):
            return f"the environment variable {DATABASE_URL_ENV}"
        if self.database_url and self.database_url == self.site.get("database_url"):
            locked = ", locked there" if "database_url" in self.locked else ""
            return f"the machine-wide settings file {self.site_file}{locked}"
        if self.database_url:
            return "this user's settings file"
        return "the default (no settings file names one)"

    def resolved_database_url(self) -> str:
        """The URL to open: the environment wins, then the settings file, then the default.

        A PostgreSQL URL without a password gets it from the keyring, if it is there.
        """
        url = os.environ.get(DATABASE_URL_ENV) or self.database_url or default_database_url()
        if not url.startswith("postgresql") or _has_password(url):
            return url
        from sqlalchemy.engine import make_url

        from practice_rx.passwords import with_password

        try:
            parsed = make_url(url)
        except Exception:  # malformed: opening it says which part, with the password masked
            return url
        return with_password(parsed).render_as_string(hide_password=False)


def _read(path: Path) -> dict:
    if path.is_dir():
        raise ValidationError.single("settings", f"Settings file {path} is a folder, not a "
                                     "file: remove or rename it, and PracticeRx makes a new one")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ValidationError.single(
            "settings", f"Settings file {path} cannot be read ({error.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValidationError.single(
            "settings", f"Settings file {path} is not UTF-8 text (byte {error.start + 1} is "
            "not): save it as UTF-8, or remove it and set the settings again") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValidationError.single(
            "settings", f"Settings file {path}: not valid TOML ({error})") from None


def _bad(where: str, key: str, expected: str, shown: object = None) -> ValidationError:
    got = f" (it is {shown!r})" if shown is not None and not isinstance(shown, str) else (
        f" (it is \"{shown}\")" if isinstance(shown, str) else "")
    return ValidationError.single(key, f"{where}: {key} must be {expected}{got}")


def _has_password(url: str) -> bool:
    from practice_rx.storage.urls import mask_password

    return mask_password(url) != url


def without_password(url: str) -> str:
    """``url`` with no password in it, for the settings file."""
    if not _has_password(url):
        return url
    from sqlalchemy.engine import make_url

    from practice_rx.storage import urls

    try:
        return urls.without_password(make_url(url)).render_as_string(hide_password=False)
    except Exception:  # not parseable: drop the masked part textually
        from practice_rx.storage.urls import mask_password

        return mask_password(url).replace(":***@", "@", 1)
