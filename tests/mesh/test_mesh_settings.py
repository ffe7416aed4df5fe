"""The MESH settings (file and keyring) and the practice's mailbox id: checked, named by key."""

from __future__ import annotations

import keyring
import pytest
import tomli_w
from keyring.backends import fail

from practice_rx.delivery import DeliveryRefused, secrets
from practice_rx.errors import ValidationError
from practice_rx.services.practice import PracticeDetails
from practice_rx.settings import Settings
from practice_rx.testing.keyring_file import FileKeyring
from tests.support.factories import admin


def load(tmp_path, **values) -> Settings:
    path = tmp_path / "settings.toml"
    path.write_text(tomli_w.dumps(values))
    return Settings.load(path)


def test_the_mesh_settings_are_read_from_the_file(tmp_path):
    settings = load(tmp_path, mesh_url="https://msg.intspineservices.nhs.uk",
                    mesh_workflow_id="GPFED_REFERRAL", mesh_client_cert="/etc/prx/client.pem",
                    mesh_client_key="/etc/prx/client.key", mesh_ca_bundle="/etc/prx/ca.pem")
    assert (settings.mesh_url, settings.mesh_workflow_id) == (
        "https://msg.intspineservices.nhs.uk", "GPFED_REFERRAL")


@pytest.mark.parametrize(("values", "key", "expected"), [
    ({"mesh_url": "msg.intspineservices.nhs.uk"}, "mesh_url", "starting https://"),
    ({"mesh_url": 443}, "mesh_url", "text in quotes"),
    ({"mesh_workflow_id": "gp referral"}, "mesh_workflow_id", "a MESH workflow id"),
    ({"mesh_client_cert": "/etc/prx/client.pem"}, "mesh_client_key", "go together"),
    ({"mesh_client_key": "/etc/prx/client.key"}, "mesh_client_cert", "go together"),
    ({"mesh_ca_bundle": False}, "mesh_ca_bundle", "text in quotes"),
])
def test_a_wrong_mesh_setting_is_named_by_its_key(tmp_path, values, key, expected):
    with pytest.raises(ValidationError) as raised:
        load(tmp_path, **values)
    assert list(raised.value.errors) == [key]
    assert f"settings.toml: {key} must be" in str(raised.value)
    assert expected in str(raised.value)


def test_the_practices_mailbox_id_is_checked_kept_and_left_alone_when_not_given(services):
    user = admin(services)
    practice = services.practice.save(user, PracticeDetails("Y99901", "Beeston Hill",
                                                            mesh_mailbox_id=" Y99901OT001 "))
    assert practice.mesh_mailbox_id == "Y99901OT001"
    # a screen that does not show the mailbox leaves it as it is
    assert services.practice.save(user, PracticeDetails("Y99901", "Beeston Hill Surgery")
                                  ).mesh_mailbox_id == "Y99901OT001"
    for typed, expected in (("Y99901-OT", "1 to 20 capital letters and digits"),
                            ("y99901ot001", "type Y99901OT001 if that is the mailbox meant")):
        with pytest.raises(ValidationError) as raised:  # refused, never changed into another
            services.practice.save(user, PracticeDetails("Y99901", "Beeston Hill",
                                                         mesh_mailbox_id=typed))
        assert list(raised.value.errors) == ["mesh_mailbox_id"]
        assert expected in raised.value.errors["mesh_mailbox_id"]
    assert services.practice.get().mesh_mailbox_id == "Y99901OT001"
    assert services.practice.save(user, PracticeDetails("Y99901", "Beeston Hill",
                                                        mesh_mailbox_id="")).mesh_mailbox_id is None


def test_secrets_are_in_the_keyring_under_the_mesh_service_name(tmp_path):
    previous = keyring.get_keyring()
    ring = FileKeyring(tmp_path / "ring.json")
    keyring.set_keyring(ring)
    try:
        secrets.set_mailbox_password("x26abc1", "pw")
        secrets.set_shared_key("key")
        assert ring.get_password("practice-rx-mesh", "X26ABC1") == "pw"
        assert ring.get_password("practice-rx-mesh", "shared-key") == "key"
        with pytest.raises(DeliveryRefused, match="practice-rx mesh set-password --mailbox "
                                                  "X26ABC9"):
            secrets.mailbox_password("X26ABC9")
    finally:
        keyring.set_keyring(previous)


def test_no_keyring_at_all_says_so_when_delivering():
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(DeliveryRefused, match="no password store"):
            secrets.shared_key("X26ABC1")
    finally:
        keyring.set_keyring(previous)
