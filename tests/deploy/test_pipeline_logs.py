"""A whole order, logged at DEBUG the way production logs: no token, no customer contact.

The order is created and paid here; a Celery worker (and beat) subprocess with DEBUG off and
JSON logs submits it to a live isipay sandbox, polls it to success and tries to e-mail the
customer (through an SMTP port where nothing listens, so the failure is logged too). Every log
line of both processes is then searched for the isipay token, the e-mail address and the phone
number. The worker's lines pass the redact filter, so they are also searched for its markers:
a marker would mean some code tried to log a secret.
"""

import json
import logging
import secrets

import kombu.pools
import pytest

from catalog import services as catalog_services
from catalog.models import Variant
from isipay.sandbox import SandboxServer
from orders import services as order_services
from orders.models import Order
from payments import services as payments
from storefront.celery import app as celery_app
from storefront.logging import REDACTED, JsonFormatter
from storefront.supplier import isipay_client
from tests.production import REAL_PAYMENTS

from ..integration.conftest import (  # noqa: F401  (fixtures)
    Worker,
    live_gateways,
    wait_for,
    worker_env,
)
from ..storefront.helpers import closed_port

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TOKEN = "tok-" + secrets.token_hex(16)
EMAIL = "budi.santoso.rahasia@contoh.example"
PHONE = "+6281398765432"
NEVER_LOGGED = [TOKEN, EMAIL, "budi.santoso.rahasia", PHONE, "81398765432"]


@pytest.fixture(scope="module")
def live_sandbox():
    """The isipay sandbox with a token of this run's own (worker_env points the worker at it)."""
    with SandboxServer(token=TOKEN, port=0, pending_seconds=0.2, complete_seconds=0.6) as server:
        yield server


@pytest.fixture(scope="module")
def production_worker(worker_env, tmp_path_factory):  # noqa: F811
    env = {
        **worker_env,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ISIPAY_API_TOKEN": TOKEN,
        "LOG_LEVEL": "DEBUG",
        "LOG_FORMAT": "",  # the production default: JSON
        "EMAIL_BACKEND": "",  # the production default: SMTP…
        "EMAIL_URL": f"smtp://127.0.0.1:{closed_port()}",  # …to a server that is not there
        # What else production needs to start (issue 12: no sandbox, a public https URL).
        **REAL_PAYMENTS,
    }
    # worker_env pointed the broker at a folder of this module's own. Connection pools are
    # shared by broker URL, whatever the folder: drop them before and after, so that no
    # module's tasks land in another module's folder.
    forget_broker_connections()
    running = Worker(env, tmp_path_factory.mktemp("production-worker") / "worker.log").start()
    yield running
    running.stop()
    forget_broker_connections()


def forget_broker_connections() -> None:
    kombu.pools.reset()
    celery_app._pool = None  # what Celery itself does after a fork
    celery_app.amqp._producer_pool = None


def test_a_full_pipeline_logs_no_token_and_no_customer_contact(
    production_worker, live_sandbox, settings, caplog
):
    caplog.set_level(logging.DEBUG)
    settings.ISIPAY_BASE_URL, settings.ISIPAY_API_TOKEN = live_sandbox.url, TOKEN
    catalog_services.sync_catalog(client=isipay_client())
    order = order_services.create_order(
        variant=Variant.objects.select_related("product").get(code="MLBB_ID_5"),
        account={"user_id": "123456789", "zone_id": "2345"},
        contact_email=EMAIL,
        contact_phone=PHONE,
        buyer_ip="203.0.113.7",
    )
    payments.confirm_paid(payment=payments.start_payment(order=order))

    status = lambda: Order.objects.values_list("status", flat=True).get(pk=order.pk)  # noqa: E731
    wait_for(lambda: status() == Order.Status.SUCCESS, timeout=60, what="the order to succeed")
    log = production_worker.log
    wait_for(lambda: "could not be sent" in log.read_text(), what="the success e-mail attempt")
    production_worker.stop()

    worker_text = log.read_text()
    in_process = caplog.text + "\n".join(JsonFormatter().format(r) for r in caplog.records)
    for secret in NEVER_LOGGED:
        assert secret not in worker_text, f"{secret!r} in the worker's log"
        assert secret not in in_process, f"{secret!r} in this process's log"
    for marker in (REDACTED, "[email]", "[phone]"):
        assert marker not in worker_text, f"something tried to log a secret ({marker})"

    lines = [json.loads(line) for line in worker_text.splitlines() if line.startswith("{")]
    assert any(line["level"] == "DEBUG" for line in lines), "the worker logged at DEBUG"
    about_order = [line for line in lines if line.get("order") == order.number]
    assert {line["reference"] for line in about_order} == {order.reference_number}
    messages = " | ".join(line["message"] for line in about_order)
    assert "submitting -> processing" in messages and "processing -> success" in messages
    assert all(line.get("task_id") for line in about_order)  # which Celery task logged it
