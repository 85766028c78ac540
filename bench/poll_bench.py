"""Polling (budget 5): 1,000 due orders polled by one worker, and the due-order index.

python -m bench.poll_bench

In-process: orders.services.poll_due (what the beat tick's task runs) with a real IsipayClient
over HTTP against a SandboxServer on localhost; the orders exist at the sandbox (placed through
its order endpoint) and reach a final status at the first poll. Then 100,000 finished orders
are bulk-inserted and the plan of lease_due_orders' SELECT (captured from a real call, run with
its own parameters) is checked for the order_due_poll index.
"""

import time
from datetime import timedelta

from bench.common import SANDBOX_TOKEN, emit, migrate, paid_order, setup_django


def main() -> None:
    setup_django()
    migrate()
    from django.db import connection
    from django.utils import timezone

    from bench.budgets import POLL_FINISHED_ORDERS, POLL_ORDERS
    from catalog.models import Variant
    from catalog.services import sync_catalog
    from isipay import IsipayClient
    from isipay.sandbox import SandboxServer
    from orders import services
    from orders.models import Order

    figures: dict = {"mode": "in-process poll_due, real IsipayClient -> SandboxServer (HTTP)"}
    sandbox = SandboxServer(
        token=SANDBOX_TOKEN, balance=10**15, pending_seconds=0, complete_seconds=0
    ).start()
    client = IsipayClient(base_url=sandbox.url, token=SANDBOX_TOKEN)
    sync_catalog(client=client)
    variant = Variant.objects.select_related("product").get(code="MLBB_ID_5")
    now = timezone.now()

    def order(i: int, **fields) -> Order:
        return paid_order(variant, now, **fields)

    due = []
    for i in range(POLL_ORDERS):
        o = order(i, status=Order.Status.PROCESSING, next_poll_at=now - timedelta(seconds=1))
        o.invoice_number = client.order(variant.code, o.reference_number, o.data).invoice_number
        due.append(o)
    Order.objects.bulk_create(due, batch_size=500)

    started = time.perf_counter()
    polled = services.poll_due(client=client, time_budget=600)
    figures["poll_seconds"] = time.perf_counter() - started
    figures["polled"] = polled
    figures["still_processing"] = Order.objects.filter(status=Order.Status.PROCESSING).count()
    figures["succeeded"] = Order.objects.filter(status=Order.Status.SUCCESS).count()
    sandbox.stop()

    finished = (
        order(i, status=Order.Status.SUCCESS, completed_at=now, invoice_number=f"INV-{i}")
        for i in range(POLL_FINISHED_ORDERS)
    )
    started = time.perf_counter()
    batch: list[Order] = []
    for o in finished:
        batch.append(o)
        if len(batch) == 5000:
            Order.objects.bulk_create(batch)
            batch = []
    if batch:
        Order.objects.bulk_create(batch)
    figures["bulk_insert_seconds"] = time.perf_counter() - started
    # A few processing orders not yet due, as in a live shop.
    Order.objects.bulk_create(
        [
            order(
                i,
                status=Order.Status.PROCESSING,
                next_poll_at=now + timedelta(hours=1),
                invoice_number=f"LATER-{i}",
            )
            for i in range(50)
        ]
    )
    figures["orders_in_table"] = Order.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    captured: list[tuple[str, tuple]] = []

    def capture(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("SELECT") and '"orders_order"' in sql:
            captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        services.lease_due_orders(limit=100)
    sql, params = captured[0]
    figures["selection_sql"] = sql
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            figures["uses_index"] = "Seq Scan on orders_order" not in plan
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            figures["uses_index"] = "order_due_poll" in plan
    figures["plan"] = plan
    emit(figures)


if __name__ == "__main__":
    main()
