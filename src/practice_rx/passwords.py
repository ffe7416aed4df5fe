"""The database password: in the OS keyring, never in the settings file.

A URL typed in Settings with a password (``postgresql+psycopg://practice:pw@server/db``)
is saved without it and the password goes to the keyring (``keyring``: the Secret
Service on Linux, Keychain on macOS, Credential Locker on Windows). On opening, a
PostgreSQL URL without a password gets it from the keyring; failing that, libpq
reads ``~/.pgpass`` or a service file (``PGSERVICEFILE``) as usual, so those work
with no keyring at all.
"""

from __future__ import annotations

import logging

from sqlalchemy.engine import URL

from practice_rx.errors import PracticeRxError

SERVICE = "practice-rx"
log = logging.getLogger(__name__)
NO_KEYRING = ("This computer has no password store (keyring) that PracticeRx can use, so the "
              "password was not saved. Leave it out of the URL and put it in ~/.pgpass "
              "instead (a line host:port:database:user:password; the file readable by you "
              "alone, chmod 600), or install a keyring such as the Secret Service "
              "(gnome-keyring or KWallet).")


class NoKeyringError(PracticeRxError):
    """No usable keyring backend on this computer."""


def account(url: URL) -> str:
    """The keyring's name for this database login: user@host:port/database."""
    return f"{url.username or ''}@{url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def _keyring():
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        raise NoKeyringError(NO_KEYRING)
    return keyring


def store(url: URL) -> URL:
    """Put ``url``'s password in the keyring; the URL without it, to save in settings."""
    if not url.password:
        return url
    from practice_rx.storage.urls import without_password

    _keyring().set_password(SERVICE, account(url), url.password)
    return without_password(url)


def with_password(url: URL) -> URL:
    """``url`` with its password from the keyring when it has none (PostgreSQL only)."""
    if url.password or url.get_backend_name() != "postgresql" or not url.username:
        return url
    try:
        password = _keyring().get_password(SERVICE, account(url))
    except NoKeyringError:
        return url  # libpq's ~/.pgpass or service file may have it
    except Exception as error:  # a locked or broken keyring: libpq may still manage
        log.warning("the keyring could not be read (%s); trying without it",
                    type(error).__name__)
        return url
    return url.set(password=password) if password else url
