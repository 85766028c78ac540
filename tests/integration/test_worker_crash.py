"""A worker killed with SIGKILL in the middle of placing an order."""

import time

import kombu.pools
import pytest

from orders.models import Order
from storefront.broker import transport_options
from storefront.celery import app as celery_app
from storefront.management.commands.run_demo import demo_timings

from .conftest import Worker, pay, status_of, wait_for, wait_status

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
S = Order.Status


def kill_mid_submission_then_resume(env, tmp_path, sandbox, *, within: float) -> float:
    """Kills a worker while isipay works on an order; returns how long a new one took to finish."""
    first = Worker(env, tmp_path / "first.log").start()
    try:
        sandbox.inject("/api/v1/order", "slow", seconds=3)  # isipay is working on it…
        order = pay()
        wait_for(lambda: sandbox.order_calls(order.reference_number) == 1, what="the order call")
        first.kill()  # …when the worker's machine dies
    finally:
        first.stop()
    assert status_of(order) == S.SUBMITTING
    killed_at = time.monotonic()

    second = Worker(env, tmp_path / "second.log").start()
    try:
        assert wait_status(order, S.SUCCESS, timeout=within) == S.SUCCESS
    finally:
        second.stop()
    order.refresh_from_db()
    placed = [o for o in sandbox.orders.values() if o.reference == order.reference_number]
    assert len(placed) == 1
    assert order.invoice_number == placed[0].invoice
    assert order.events.filter(actor="sweeper").exists()
    return time.monotonic() - killed_at


def test_worker_killed_mid_submission_is_resumed_with_one_supplier_order(
    worker_env, tmp_path, sandbox, catalog
):
    kill_mid_submission_then_resume(worker_env, tmp_path, sandbox, within=60)


def test_the_demo_resumes_a_killed_workers_order_within_seconds(
    worker_env, tmp_path, sandbox, catalog, settings
):
    """With run_demo's sweeper timings (not the test's), not production's four minutes."""
    settings.ISIPAY_TIMEOUT = float(worker_env["ISIPAY_TIMEOUT"])  # what the worker runs with
    settings.ISIPAY_CONNECT_TIMEOUT = 2.0
    env = {**worker_env, "ISIPAY_CONNECT_TIMEOUT": "2", **demo_timings()}
    took = kill_mid_submission_then_resume(env, tmp_path, sandbox, within=30)
    assert took < 30


@pytest.fixture
def unmade_broker_folder(worker_env, tmp_path):
    """A filesystem broker folder that does not exist yet, for this process and the worker.

    The filesystem broker (the demo's) even where the suite runs on Redis, as in CI: what is
    tested is that broker's folders, never a skip."""
    folder = tmp_path / "not-made-yet" / "broker"
    conf = celery_app.conf
    saved = (conf.broker_url, conf.broker_transport, conf.broker_transport_options)
    conf.broker_url, conf.broker_transport = "filesystem://", "storefront.broker:Transport"
    conf.broker_transport_options = transport_options(folder)
    forget_connections()
    yield folder
    conf.broker_url, conf.broker_transport, conf.broker_transport_options = saved
    forget_connections()


def forget_connections() -> None:
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_a_worker_started_by_hand_on_a_fresh_checkout_places_paid_orders(
    worker_env, unmade_broker_folder, tmp_path, sandbox, catalog
):
    """`celery -A storefront worker` without run_demo: nobody made .run/broker beforehand."""
    order = pay()  # the web sends the task first: no folder yet, no error
    env = {
        **worker_env,
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_BROKER_FOLDER": str(unmade_broker_folder),
    }
    worker = Worker(env, tmp_path / "worker.log").start()
    try:
        assert wait_status(order, S.SUCCESS, timeout=60) == S.SUCCESS
    finally:
        worker.stop()
    assert "FileNotFoundError" not in (tmp_path / "worker.log").read_text()
