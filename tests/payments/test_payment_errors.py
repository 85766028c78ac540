"""Providers fail with named errors only; no view or service catches every exception."""

import ast
from pathlib import Path

import pytest
import responses

from payments.errors import PaymentUnavailable
from payments.providers import MidtransProvider

ROOT = Path(__file__).resolve().parents[2]
CORE = "https://api.sandbox.midtrans.com/v2"
SNAP = "https://app.sandbox.midtrans.com/snap/v1/transactions"


@pytest.fixture
def midtrans(settings) -> MidtransProvider:
    settings.PAYMENT_PROVIDERS = ["midtrans"]
    settings.MIDTRANS_SERVER_KEY = "SB-Mid-server-TEST-ONLY"
    settings.MIDTRANS_CLIENT_KEY = "SB-Mid-client-TEST-ONLY"
    settings.MIDTRANS_IS_PRODUCTION = False
    return MidtransProvider()


@responses.activate
def test_a_snap_answer_without_a_payment_page_is_payment_unavailable(midtrans):
    responses.post(SNAP, json={"error_messages": []}, status=201)
    with pytest.raises(PaymentUnavailable, match="no redirect_url"):
        midtrans.start(reference="GR-1", amount=15_000, item="5 Diamonds", finish_url="/")


@responses.activate
@pytest.mark.parametrize("body", [[], "settlement", 15000])
def test_a_status_answer_that_is_not_an_object_is_payment_unavailable(midtrans, body):
    responses.get(f"{CORE}/GR-1/status", json=body)
    with pytest.raises(PaymentUnavailable, match="status check of GR-1"):
        midtrans.status(reference="GR-1")


@responses.activate
def test_a_refund_answer_that_is_not_an_object_is_payment_unavailable(midtrans):
    responses.post(f"{CORE}/GR-1/refund", json=["ok"])
    with pytest.raises(PaymentUnavailable):
        midtrans.refund(reference="GR-1", amount=15_000, reason="test")


def catch_alls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    return [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ExceptHandler)
        and (
            node.type is None
            or (isinstance(node.type, ast.Name) and node.type.id in {"Exception", "BaseException"})
        )
    ]


def test_no_view_or_service_catches_every_exception():
    modules = [
        path
        for app in ("backoffice", "catalog", "orders", "payments", "storefront")
        for pattern in ("views.py", "services.py", "services/*.py", "notifications.py")
        for path in (ROOT / app).glob(pattern)
    ]
    assert modules
    assert [line for path in modules for line in catch_alls(path)] == []
