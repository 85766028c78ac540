"""The demo's filesystem broker (storefront/broker.py)."""

import logging

from kombu import Connection

from storefront.broker import transport_options


def folders(tmp_path) -> dict:
    return transport_options(tmp_path / "broker")


def test_filesystem_broker_starts_without_the_no_hostname_warning(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    with Connection(
        "filesystem://",
        transport="storefront.broker:Transport",
        transport_options=folders(tmp_path),
    ) as connection:
        connection.info()
        connection.as_uri()  # what the worker's banner and "Connected to" lines show
        queue = connection.SimpleQueue("journey")
        queue.put({"hello": "world"})
        message = queue.get(timeout=5)
        assert message.payload == {"hello": "world"}
        message.ack()
        queue.close()
    assert [r.getMessage() for r in caplog.records if r.name == "kombu.connection"] == []


def test_other_brokers_keep_kombus_warning(caplog):
    caplog.set_level(logging.WARNING)
    Connection("memory://").info()
    assert any("No hostname was supplied" in r.getMessage() for r in caplog.records)
