"""practice_rx_register_delivery_channels: plugins' channels, checked, isolated, delivered through.

The plugins are real, loaded through entry points; the deliveries go through
DeliveryService on both backends.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest
from sqlalchemy import update

from practice_rx.delivery import DeliveryChannel, DeliveryError
from practice_rx.delivery.mesh_settings import MeshSettingsChannel
from practice_rx.plugin_host import IsolatedChannel, PluginHost
from practice_rx.services import Services
from practice_rx.services.practice import PracticeDetails
from practice_rx.storage.models import Patient, Referral, Service
from tests.plugins import delivery_plugins
from tests.support.factories import admin, make_patient, make_service, make_user, ready_draft

PLUGINS = "tests.plugins.delivery_plugins"


def entry(name: str, value: str) -> EntryPoint:
    return EntryPoint(name=name, value=value, group="practice_rx")


def errors_of(host: PluginHost, plugin: str) -> list[str]:
    return [f"{e.hook}: {e.message}" for e in host.errors if e.plugin == plugin]


def test_the_built_in_plugin_registers_mesh_and_a_plugin_adds_its_own():
    host = PluginHost(discovered=[entry("hub", f"{PLUGINS}:hub")])

    channels = host.delivery_channels()

    assert sorted(channels) == ["exploding", "mesh", "regional_hub"]
    assert all(isinstance(channel, DeliveryChannel) for channel in channels.values())
    assert isinstance(channels["mesh"].channel, MeshSettingsChannel)
    assert channels["regional_hub"].channel is delivery_plugins.hub.channel
    assert host.errors == []


def test_a_channel_without_the_shape_or_with_a_name_taken_is_reported_and_skipped():
    host = PluginHost(discovered=[entry("bad", f"{PLUGINS}:bad_channels"),
                                  entry("hub", f"{PLUGINS}:hub")])

    channels = host.delivery_channels()

    assert sorted(channels) == ["exploding", "mesh", "regional_hub"]
    assert isinstance(channels["mesh"].channel, MeshSettingsChannel)  # the built-in kept
    assert channels["regional_hub"].plugin == "hub"  # asked first: registered later
    hook = "practice_rx_register_delivery_channels"
    expected = "expected a delivery channel (a name, send and poll_acknowledgement)"
    assert errors_of(host, "bad") == [
        f"{hook}: returned a NoPoll, {expected}",
        f"{hook}: returned a Nameless, {expected}",
        f"{hook}: delivery channel 'mesh' is already added by 'national'; skipped",
        f"{hook}: delivery channel 'regional_hub' is already added by 'hub'; skipped",
        f"{hook}: returned a str, {expected}",
    ]
    assert errors_of(host, "hub") == []


def test_a_plugin_whose_hook_raises_is_reported_and_mesh_stays():
    host = PluginHost(discovered=[entry("boom", f"{PLUGINS}:raises_on_registering")])

    assert list(host.delivery_channels()) == ["mesh"]
    assert errors_of(host, "boom") == [
        "practice_rx_register_delivery_channels: raised RuntimeError: channels exploded"]


@pytest.fixture
def hub_services(db, clock):
    host = PluginHost(discovered=[entry("hub", f"{PLUGINS}:hub")])
    services = Services(db, clock, delivery_channels=host.delivery_channels())
    services.practice.save(admin(services), PracticeDetails("Y99901", "Beeston Hill Surgery",
                                                            address="1 Beeston Road, Leeds"))
    return host, services


def sent_to(services: Services, method: str, address: str = "hub-box-7") -> Referral:
    service = make_service(services, "Regional Hub Service")
    with services.db.transaction() as session:
        session.execute(update(Service).where(Service.id == service.id).values(
            delivery_method=method, delivery_address=address))
    gp = make_user(services)
    draft = ready_draft(services, gp, make_patient(services), service)
    return services.referrals.send(gp.id, draft.id, draft.version)


def test_a_referral_is_delivered_through_a_plugins_channel(hub_services):
    _, services = hub_services
    referral = sent_to(services, "regional_hub")
    user = make_user(services, "receptionist", "Sam Jones").id
    hub = delivery_plugins.hub.channel

    row = services.delivery.deliver(user, referral.id).delivery

    assert row.state == "sent" and row.summary() == (
        "Delivered over regional_hub to hub-box-7 (2 files)")
    assert [hub.received[f.message_id][0] for f in row.files] == ["hub-box-7", "hub-box-7"]
    hub.collected.update(f.message_id for f in row.files)
    [polled] = services.delivery.poll(user)
    assert polled.delivery.state == "acknowledged"


def test_a_plugin_channel_that_raises_fails_the_delivery_plainly_and_leaves_the_referral(
        hub_services):
    host, services = hub_services
    referral = sent_to(services, "exploding")
    user = make_user(services, "receptionist", "Sam Jones").id

    row = services.delivery.deliver(user, referral.id).delivery

    assert row.state == "failed"
    assert row.error.startswith("The 'exploding' delivery channel (plugin 'hub') failed "
                                "unexpectedly (RuntimeError) in send")
    assert "cannot parse" not in row.error  # the plugin's own text may quote the bundle
    with services.db.reading() as session:
        again = session.get(Referral, referral.id)
        assert (again.status, again.version) == ("sent", referral.version)
        nhs_number = session.get(Patient, referral.patient_id).nhs_number
    assert nhs_number not in row.error
    [problem] = [e for e in host.errors if e.plugin == "hub"]
    assert problem.hook == "delivery channel 'exploding' send"
    assert problem.message.startswith("raised RuntimeError: cannot parse")


def test_an_isolated_channel_passes_a_delivery_error_on_as_it_is():
    host = PluginHost(discovered=[])

    class Refusing(delivery_plugins.RegionalHub):
        def send(self, to_mailbox, files, local_id):
            raise DeliveryError("hub refused box 7", mailbox=to_mailbox)

    with pytest.raises(DeliveryError, match="^hub refused box 7$"):
        IsolatedChannel(host, "x", Refusing()).send("box-7", [], "PRX-1-1")
    assert host.errors == []


def test_a_channel_whose_plugin_is_switched_off_fails_the_delivery_saying_so(db, clock):
    services = Services(db, clock, delivery_channels={})
    services.practice.save(admin(services), PracticeDetails("Y99901", "Beeston Hill Surgery",
                                                            address="1 Beeston Road, Leeds"))
    referral = sent_to(services, "regional_hub")

    row = services.delivery.deliver(make_user(services, "admin", "Pat Morgan").id,
                                    referral.id).delivery

    assert row.state == "failed"
    assert "No delivery channel 'regional_hub' is installed" in row.error
