"""The isipay client against the live sandbox: every endpoint and every way a call can fail."""

import logging
import socket

import pytest

from isipay import (
    AuthError,
    DuplicateReference,
    InsufficientBalance,
    IsipayClient,
    NotFound,
    Outcome,
    StatusMap,
    SupplierError,
    Unavailable,
)
from isipay.sandbox import SandboxServer

from ..conftest import SANDBOX_TOKEN


def test_balance_is_integer_rupiah(isipay_client, sandbox):
    sandbox.balance = 1_234_567
    assert isipay_client.balance().balance == 1_234_567


def test_products_have_boolean_is_active(isipay_client):
    products = isipay_client.products()
    assert len(products) >= 8
    assert all(isinstance(product.is_active, bool) for product in products)
    assert any(not product.is_active for product in products)
    assert "mobile-legends" in {product.code for product in products}


def test_variants_are_normalised(isipay_client):
    variants = isipay_client.variants("mobile-legends")
    assert len(variants) >= 8
    for variant in variants:
        assert isinstance(variant.is_active, bool)
        assert isinstance(variant.price, int) and variant.price > 0
        assert isinstance(variant.process_duration, int)
        assert isinstance(variant.supplier_id, int)
    first = next(v for v in variants if v.code == "MLBB_ID_5")
    assert (first.name, first.price, first.is_active) == ("5 (5+0) Diamonds", 1389, True)


def test_variants_of_unknown_product_is_not_found(isipay_client):
    with pytest.raises(NotFound):
        isipay_client.variants("no-such-game")


def test_order_then_status_reaches_success(isipay_client, sandbox):
    placed = isipay_client.order("MLBB_ID_5", "GR-REF-1", "123456789(2345)")
    assert placed.invoice_number
    assert sandbox.order_calls("GR-REF-1") == 1
    status = isipay_client.status(placed.invoice_number)
    assert status.invoice_number == placed.invoice_number
    assert StatusMap().outcome(status.status_word) in (Outcome.PENDING, Outcome.SUCCESS)


def test_order_spends_the_supplier_balance(isipay_client, sandbox):
    before = isipay_client.balance().balance
    isipay_client.order("MLBB_ID_5", "GR-REF-2", "123456789(2345)")
    assert isipay_client.balance().balance == before - 1389


def test_insufficient_balance_on_http_200_error_envelope(isipay_client, sandbox):
    sandbox.balance = 10
    with pytest.raises(InsufficientBalance):
        isipay_client.order("MLBB_ID_5", "GR-REF-3", "123456789(2345)")


def test_reused_reference_is_a_duplicate(isipay_client):
    isipay_client.order("MLBB_ID_5", "GR-REF-4", "123456789(2345)")
    with pytest.raises(DuplicateReference):
        isipay_client.order("MLBB_ID_5", "GR-REF-4", "123456789(2345)")


def test_rejected_account_data_carries_the_supplier_message(isipay_client):
    with pytest.raises(SupplierError) as caught:
        isipay_client.order("MLBB_ID_5", "GR-REF-5", "INVALID")
    assert "tidak valid" in str(caught.value)


def test_unknown_variant_is_not_found(isipay_client):
    with pytest.raises(NotFound):
        isipay_client.order("NO_SUCH_ITEM", "GR-REF-6", "123")


def test_unknown_invoice_is_not_found(isipay_client):
    with pytest.raises(NotFound):
        isipay_client.status("RZ-NOPE")


def test_wrong_token_tells_the_operator_to_check_the_token(sandbox):
    client = IsipayClient(base_url=sandbox.url, token="wrong-secret-token-123")
    with pytest.raises(AuthError) as caught:
        client.balance()
    assert caught.value.code == 401
    assert "ISIPAY_API_TOKEN" in str(caught.value)
    assert "wrong-secret-token-123" not in str(caught.value)


def test_ip_not_whitelisted_tells_the_operator_to_ask_for_whitelisting():
    with SandboxServer(token=SANDBOX_TOKEN, port=0, whitelist=["203.0.113.9"]) as server:
        client = IsipayClient(base_url=server.url, token=SANDBOX_TOKEN)
        with pytest.raises(AuthError) as caught:
            client.products()
    assert caught.value.code == 403
    assert "whitelist" in str(caught.value)


@pytest.mark.parametrize("kind", ["http500", "http502"])
def test_5xx_is_unavailable_and_may_have_reached_the_supplier(isipay_client, sandbox, kind):
    sandbox.inject("/api/v1/order", kind)
    with pytest.raises(Unavailable) as caught:
        isipay_client.order("MLBB_ID_5", "GR-REF-7", "123456789(2345)")
    assert caught.value.may_have_reached_supplier


def test_garbage_body_is_unavailable(isipay_client, sandbox):
    sandbox.inject("/api/v1/product", "garbage")
    with pytest.raises(Unavailable):
        isipay_client.products()


def test_error_true_on_http_200_is_a_supplier_error(isipay_client, sandbox):
    sandbox.inject("/api/v1/status-order", "error200", message="Sistem sedang sibuk")
    with pytest.raises(SupplierError) as caught:
        isipay_client.status("RZ-ANY")
    assert "Sistem sedang sibuk" in str(caught.value)


def test_read_timeout_on_order_is_unknown_not_failed(sandbox):
    client = IsipayClient(base_url=sandbox.url, token=SANDBOX_TOKEN, timeout=0.3)
    sandbox.inject("/api/v1/order", "slow", seconds=1.0)
    with pytest.raises(Unavailable) as caught:
        client.order("MLBB_ID_5", "GR-REF-8", "123456789(2345)")
    assert caught.value.may_have_reached_supplier


def test_dropped_answer_after_acceptance_is_unknown_and_the_order_exists(isipay_client, sandbox):
    sandbox.inject("/api/v1/order", "drop")
    with pytest.raises(Unavailable) as caught:
        isipay_client.order("MLBB_ID_5", "GR-REF-9", "123456789(2345)")
    assert caught.value.may_have_reached_supplier
    assert "GR-REF-9" in sandbox.orders


def test_refused_connection_cannot_have_reached_the_supplier():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = IsipayClient(base_url=f"http://127.0.0.1:{port}", token=SANDBOX_TOKEN, timeout=1)
    with pytest.raises(Unavailable) as caught:
        client.order("MLBB_ID_5", "GR-REF-10", "1")
    assert not caught.value.may_have_reached_supplier


def test_token_never_appears_in_logs_reprs_or_errors(sandbox, caplog):
    secret = "tok-SUPERSECRET-42"
    client = IsipayClient(base_url=sandbox.url, token=secret, timeout=0.3)
    caplog.set_level(logging.DEBUG)
    texts = [repr(client)]
    for call in (client.balance, client.products, lambda: client.status("RZ-1")):
        with pytest.raises(AuthError) as caught:
            call()
        texts += [str(caught.value), repr(caught.value)]
    good = IsipayClient(base_url=sandbox.url, token=SANDBOX_TOKEN, timeout=0.3)
    sandbox.inject("/api/v1/order", "slow", seconds=1.0)
    with pytest.raises(Unavailable) as caught:
        good.order("MLBB_ID_5", "GR-REF-11", "1")
    texts += [str(caught.value), repr(caught.value), repr(good)]
    texts += [record.getMessage() for record in caplog.records]
    assert caplog.records, "the client logs its calls"
    assert not [text for text in texts if secret in text or SANDBOX_TOKEN in text]


def test_status_words_map_case_insensitively_and_extend_from_settings():
    words = StatusMap({"Menunggu": "pending", "dibatalkan": "failed"})
    assert words.outcome(" SUCCESS ") is Outcome.SUCCESS
    assert words.outcome("Sukses") is Outcome.SUCCESS
    assert words.outcome("Gagal") is Outcome.FAILED
    assert words.outcome("refunded") is Outcome.FAILED
    assert words.outcome("Processing") is Outcome.PENDING
    assert words.outcome("menunggu") is Outcome.PENDING
    assert words.outcome("Dibatalkan") is Outcome.FAILED
    assert words.outcome("Mystery") is Outcome.UNKNOWN
    assert words.outcome(None) is Outcome.UNKNOWN
