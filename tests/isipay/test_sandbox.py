"""The isipay sandbox speaks the documented protocol and misbehaves exactly when told to.

Plain `requests` on purpose: these tests pin the wire format the client is written against.
"""

import time

import pytest
import requests

from isipay.sandbox import SandboxServer, demo_catalog, generated_catalog

from ..waiting import wait_for

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def server():
    with SandboxServer(token=TOKEN, balance=1_000_000) as sandbox:
        yield sandbox


def post(server: SandboxServer, path: str, body=None, *, headers=AUTH, timeout=5):
    return requests.post(server.url + path, json=body, headers=headers, timeout=timeout)


def envelope(response: requests.Response) -> dict:
    body = response.json()
    assert set(body) == {"error", "code", "message", "data"}
    return body


def order(server, code="MLBB_ID_5", reference="REF-1", data="12345678(1234)"):
    return post(server, "/api/v1/order", {"code": code, "referenceNumber": reference, "data": data})


def status(server, key):
    return post(server, f"/api/v1/status-order/{key}")


def age(server, reference, seconds):
    """Pretend the order was placed `seconds` ago, instead of sleeping."""
    server.orders[reference].created_at -= seconds


# --- access ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Unauthorized: missing API token"),
        ({"Authorization": "Bearer wrong"}, "Unauthorized: invalid API token"),
        ({"Authorization": f"Basic {TOKEN}"}, "Unauthorized: invalid API token"),
    ],
)
def test_missing_or_wrong_token_is_http_401(server, headers, message):
    response = post(server, "/api/v1/balance", headers=headers)
    assert response.status_code == 401
    assert envelope(response) == {"error": True, "code": 401, "message": message, "data": None}


def test_ip_outside_the_whitelist_is_http_403_naming_the_ip():
    with SandboxServer(token=TOKEN, whitelist=["203.0.113.9"]) as sandbox:
        response = post(sandbox, "/api/v1/balance")
        assert response.status_code == 403
        assert envelope(response)["message"] == "IP not whitelisted: 127.0.0.1"

        sandbox.whitelist = {"127.0.0.1"}
        assert post(sandbox, "/api/v1/balance").status_code == 200


def test_unknown_path_is_404_and_other_methods_405(server):
    unknown = post(server, "/api/v1/nope")
    assert unknown.status_code == 404
    assert envelope(unknown)["error"] is True

    wrong_method = requests.get(server.url + "/api/v1/balance", headers=AUTH, timeout=5)
    assert wrong_method.status_code == 405
    assert envelope(wrong_method)["code"] == 405


def test_body_that_is_not_a_json_object_is_http_400(server):
    for raw in (b"{not json", b"[1, 2]"):
        response = requests.post(server.url + "/api/v1/variant", data=raw, headers=AUTH, timeout=5)
        assert response.status_code == 400
        assert envelope(response)["error"] is True


# --- endpoint shapes ---------------------------------------------------------------------


def test_balance_shape(server):
    response = post(server, "/api/v1/balance")
    body = envelope(response)
    assert response.status_code == 200
    assert (body["error"], body["code"], body["message"]) == (False, 200, "Success")
    assert set(body["data"]) == {"name", "email", "telp", "membership", "balance"}
    assert body["data"]["balance"] == 1_000_000


def test_product_list_has_bool_is_active_and_an_inactive_game(server):
    data = envelope(post(server, "/api/v1/product"))["data"]
    assert {"code": "mobile-legends", "name": "Mobile Legends", "is_active": True} in data
    assert all(set(item) == {"code", "name", "is_active"} for item in data)
    assert all(isinstance(item["is_active"], bool) for item in data)
    assert {"code": "point-blank", "name": "Point Blank", "is_active": False} in data


def test_variant_list_matches_the_documented_example(server):
    data = envelope(post(server, "/api/v1/variant", {"code": "mobile-legends"}))["data"]
    assert data[0] == {
        "id": 4090,
        "code": "MLBB_ID_5",
        "name": "5 (5+0) Diamonds",
        "is_active": "active",
        "price": 1389,
        "processDuration": "0",
    }
    for item in data:
        assert isinstance(item["id"], int) and isinstance(item["price"], int)
        assert isinstance(item["is_active"], str) and isinstance(item["processDuration"], str)


def test_variant_of_unknown_product_is_http_404(server):
    response = post(server, "/api/v1/variant", {"code": "no-such-game"})
    assert response.status_code == 404
    assert envelope(response)["message"] == "Product not found"


# --- orders ------------------------------------------------------------------------------


def test_order_returns_an_invoice_and_spends_the_balance(server):
    response = order(server)
    body = envelope(response)
    assert (response.status_code, body["error"]) == (200, False)
    invoice = body["data"]["invoiceNumber"]
    assert invoice.startswith("RZ-SBX") and len(invoice) == 16
    assert server.balance == 1_000_000 - 1389
    assert envelope(post(server, "/api/v1/balance"))["data"]["balance"] == 1_000_000 - 1389
    recorded = server.orders["REF-1"]
    assert (recorded.invoice, recorded.variant_code, recorded.price) == (invoice, "MLBB_ID_5", 1389)


def test_status_goes_pending_processing_success(server):
    invoice = envelope(order(server))["data"]["invoiceNumber"]
    data = envelope(status(server, invoice))["data"]
    assert data == {
        "invoiceNumber": invoice,
        "productName": "Mobile Legends - 5 (5+0) Diamonds",
        "userData": "12345678(1234)",
        "statusCode": "Pending",
    }
    age(server, "REF-1", 1.5)
    assert envelope(status(server, invoice))["data"]["statusCode"] == "Processing"
    age(server, "REF-1", 2)
    assert envelope(status(server, invoice))["data"]["statusCode"] == "Success"


def test_status_progresses_in_real_time_with_small_timings():
    with SandboxServer(token=TOKEN, pending_seconds=0, complete_seconds=0.2) as sandbox:
        invoice = envelope(order(sandbox))["data"]["invoiceNumber"]
        assert envelope(status(sandbox, invoice))["data"]["statusCode"] == "Processing"
        wait_for(
            lambda: envelope(status(sandbox, invoice))["data"]["statusCode"] == "Success",
            timeout=3,
            every=0.02,
            what="the sandbox to complete the order by itself",
        )


def test_fail_data_ends_failed_and_refunds(server):
    invoice = envelope(order(server, data="123 fail"))["data"]["invoiceNumber"]
    assert server.balance == 1_000_000 - 1389
    age(server, "REF-1", 10)
    assert envelope(status(server, invoice))["data"]["statusCode"] == "Failed"
    assert server.balance == 1_000_000
    assert status(server, invoice).json()["data"]["statusCode"] == "Failed"
    assert server.balance == 1_000_000  # refunded once


def test_hang_data_stays_processing_forever(server):
    invoice = envelope(order(server, data="123HANG"))["data"]["invoiceNumber"]
    age(server, "REF-1", 3600)
    assert envelope(status(server, invoice))["data"]["statusCode"] == "Processing"


@pytest.mark.parametrize("data", ["", "   ", "1234 invalid"])
def test_invalid_data_is_rejected_in_band_and_charges_nothing(server, data):
    response = order(server, data=data)
    assert response.status_code == 200
    assert envelope(response) == {
        "error": True,
        "code": 400,
        "message": "Data tujuan tidak valid",
        "data": None,
    }
    assert server.orders == {} and server.balance == 1_000_000


def test_duplicate_reference_is_409_in_band_and_places_nothing(server):
    first = envelope(order(server))["data"]["invoiceNumber"]
    again = order(server, code="MLBB_ID_12")
    assert again.status_code == 200
    body = envelope(again)
    assert (body["error"], body["code"]) == (True, 409)
    assert body["message"] == "Reference number sudah digunakan"
    assert server.order_calls("REF-1") == 2
    assert list(server.orders) == ["REF-1"] and server.orders["REF-1"].invoice == first
    assert server.balance == 1_000_000 - 1389


def test_duplicate_reference_can_answer_with_the_first_invoice():
    with SandboxServer(token=TOKEN, duplicate_reference="invoice") as sandbox:
        first = envelope(order(sandbox))["data"]["invoiceNumber"]
        again = envelope(order(sandbox))
        assert again["error"] is False
        assert again["data"] == {"invoiceNumber": first, "duplicate": True}
        assert len(sandbox.orders) == 1


def test_insufficient_balance_is_rejected_and_the_reference_stays_free(server):
    server.balance = 1_000
    response = order(server)
    assert response.status_code == 200
    body = envelope(response)
    assert (body["error"], body["code"], body["message"]) == (True, 400, "Saldo tidak mencukupi")
    assert server.orders == {}

    server.set_balance(10_000)  # the shop tops up, then retries with the same reference
    assert envelope(order(server))["error"] is False
    assert server.balance == 10_000 - 1389


def test_unknown_or_inactive_variant_is_rejected_in_band(server):
    unknown = envelope(order(server, code="NOPE"))
    assert (unknown["error"], unknown["code"], unknown["message"]) == (
        True,
        404,
        "Variant not found",
    )
    inactive_variant = envelope(order(server, code="MLBB_ID_2010"))
    assert (inactive_variant["code"], inactive_variant["message"]) == (400, "Variant tidak aktif")
    inactive_product = envelope(order(server, code="PB_1200"))
    assert (inactive_product["code"], inactive_product["message"]) == (400, "Variant tidak aktif")
    assert server.orders == {}


def test_status_of_unknown_invoice_is_http_404(server):
    response = status(server, "RZ-NOPE")
    assert response.status_code == 404
    assert envelope(response)["message"] == "Invoice not found"


def test_status_accepts_the_reference_unless_switched_off(server):
    invoice = envelope(order(server))["data"]["invoiceNumber"]
    assert envelope(status(server, "REF-1"))["data"]["invoiceNumber"] == invoice
    server.accept_reference_lookup = False
    assert status(server, "REF-1").status_code == 404


def test_forced_status_word_applies_to_orders_not_yet_final(server):
    invoice = envelope(order(server))["data"]["invoiceNumber"]
    server.set_status_word("Menunggu")
    assert envelope(status(server, invoice))["data"]["statusCode"] == "Menunggu"
    age(server, "REF-1", 10)
    assert envelope(status(server, invoice))["data"]["statusCode"] == "Success"


def test_one_order_status_can_be_pinned_with_refund(server):
    envelope(order(server))
    server.set_order_status("REF-1", "Refund")
    assert server.status_of("REF-1") == "Refund"
    assert server.balance == 1_000_000


# --- faults ------------------------------------------------------------------------------


def test_drop_on_order_places_the_order_but_sends_no_answer(server):
    server.inject("/api/v1/order", "drop")
    with pytest.raises(requests.ConnectionError):
        order(server)
    assert "REF-1" in server.orders
    assert server.balance == 1_000_000 - 1389
    assert envelope(order(server))["code"] == 409  # the fault was used up
    assert server.order_calls("REF-1") == 2


def test_drop_on_other_paths_closes_without_an_answer(server):
    server.inject("/api/v1/balance", "drop")
    with pytest.raises(requests.ConnectionError):
        post(server, "/api/v1/balance")


@pytest.mark.parametrize(("kind", "http"), [("http500", 500), ("http502", 502), ("http503", 503)])
def test_http_error_faults_send_html_and_do_not_process(server, kind, http):
    server.inject("/api/v1/order", kind)
    response = order(server)
    assert response.status_code == http
    assert response.headers["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError):
        response.json()
    assert server.orders == {}
    assert server.order_calls("REF-1") == 1


def test_garbage_fault_is_http_200_without_json(server):
    server.inject("/api/v1/product", "garbage")
    response = post(server, "/api/v1/product")
    assert response.status_code == 200
    assert response.text == "<html>maintenance</html>"


def test_slow_fault_delays_then_answers_normally(server):
    server.inject("/api/v1/balance", "slow", seconds=0.3)
    started = time.monotonic()
    response = post(server, "/api/v1/balance")
    assert time.monotonic() - started >= 0.3
    assert envelope(response)["error"] is False


def test_slow_fault_longer_than_the_client_timeout_still_places_the_order(server):
    server.inject("/api/v1/order", "slow", seconds=0.3)
    body = {"code": "MLBB_ID_5", "referenceNumber": "R", "data": "1"}
    with pytest.raises(requests.Timeout):
        post(server, "/api/v1/order", body, timeout=0.1)
    wait_for(lambda: "R" in server.orders, timeout=3, every=0.02, what="the order to be placed")


def test_error200_fault_is_in_band_error_and_does_not_process(server):
    server.inject("/api/v1/order", "error200", message="Sistem sedang sibuk")
    response = order(server)
    assert response.status_code == 200
    assert envelope(response) == {
        "error": True,
        "code": 400,
        "message": "Sistem sedang sibuk",
        "data": None,
    }
    assert server.orders == {}
    server.inject("/api/v1/balance", "error200")
    assert envelope(post(server, "/api/v1/balance"))["message"] == "Terjadi kesalahan"


def test_fault_times_and_clear(server):
    fault = server.inject("/api/v1/balance", "http500", times=2)
    codes = [post(server, "/api/v1/balance").status_code for _ in range(3)]
    assert codes == [500, 500, 200] and fault.hits == 2

    server.inject("/api/v1/balance", "http502", times=None)
    assert [post(server, "/api/v1/balance").status_code for _ in range(3)] == [502] * 3
    server.clear_faults()
    assert post(server, "/api/v1/balance").status_code == 200


def test_fault_limited_to_one_product_code(server):
    server.inject("/api/v1/variant", "http500", times=None, code="free-fire")
    assert post(server, "/api/v1/variant", {"code": "mobile-legends"}).status_code == 200
    assert post(server, "/api/v1/variant", {"code": "free-fire"}).status_code == 500


def test_status_order_prefix_fault(server):
    invoice = envelope(order(server))["data"]["invoiceNumber"]
    server.inject("/api/v1/status-order", "http502")
    assert status(server, invoice).status_code == 502
    assert status(server, invoice).status_code == 200


def test_unknown_fault_kind_is_refused(server):
    with pytest.raises(ValueError):
        server.inject("/api/v1/order", "explode")


# --- catalog control and state ---------------------------------------------------------


def variants(server, product):
    return {
        v["code"]: v for v in envelope(post(server, "/api/v1/variant", {"code": product}))["data"]
    }


def product_codes(server):
    return [p["code"] for p in envelope(post(server, "/api/v1/product"))["data"]]


def test_catalog_helpers_change_what_the_endpoints_say(server):
    server.set_price("MLBB_ID_5", 1500)
    server.set_variant_active("MLBB_ID_12", False)
    server.remove_variant("MLBB_ID_19")
    ml = variants(server, "mobile-legends")
    assert ml["MLBB_ID_5"]["price"] == 1500
    assert ml["MLBB_ID_12"]["is_active"] == "inactive"
    assert "MLBB_ID_19" not in ml

    server.set_product_active("free-fire", False)
    assert {"code": "free-fire", "name": "Free Fire", "is_active": False} in envelope(
        post(server, "/api/v1/product")
    )["data"]
    server.remove_product("valorant")
    assert "valorant" not in product_codes(server)
    assert post(server, "/api/v1/variant", {"code": "valorant"}).status_code == 404

    server.add_product(
        "new-game",
        "New Game",
        variants=[{"code": "NG_1", "name": "1 Gem", "price": 999, "process_duration": "5"}],
    )
    server.add_variant("new-game", code="NG_2", name="2 Gems", price=1999, is_active=False)
    assert product_codes(server)[-1] == "new-game"
    new = variants(server, "new-game")
    assert new["NG_1"]["processDuration"] == "5" and new["NG_2"]["is_active"] == "inactive"
    assert envelope(order(server, code="NG_1"))["error"] is False

    with pytest.raises(KeyError):
        server.set_price("NOPE", 1)


def test_calls_are_recorded_and_reset_restores_everything(server):
    post(server, "/api/v1/balance")
    order(server)
    server.set_price("MLBB_ID_5", 1)
    server.inject("/api/v1/product", "http500", times=None)
    assert server.calls == ["/api/v1/balance", "/api/v1/order"]
    assert server.call_count("/api/v1/") == 2

    server.reset()
    assert server.calls == [] and server.orders == {} and server.balance == 1_000_000
    assert server.catalog["mobile-legends"].variants["MLBB_ID_5"].price == 1389
    assert post(server, "/api/v1/product").status_code == 200


def test_demo_catalog_is_realistic_and_fresh_each_call():
    catalog = demo_catalog()
    assert len([p for p in catalog.values() if p.is_active]) >= 8
    assert not catalog["point-blank"].is_active
    all_variants = [v for p in catalog.values() for v in p.variants.values()]
    assert len({v.id for v in all_variants}) == len(all_variants)
    assert len({v.code for v in all_variants}) == len(all_variants)
    assert all(isinstance(v.price, int) and v.price > 0 for v in all_variants)
    assert any(v.is_active == "inactive" for v in all_variants)
    assert len([v for v in all_variants if "<" in v.name]) == 1

    catalog["mobile-legends"].variants.clear()
    assert demo_catalog()["mobile-legends"].variants


def test_generated_catalog_has_the_requested_size_and_unique_codes():
    catalog = generated_catalog(products=20, variants=7)
    codes = [v.code for p in catalog.values() for v in p.variants.values()]
    assert len(catalog) == 20 and len(codes) == 140 == len(set(codes))


def test_restart_after_stop_keeps_the_url():
    sandbox = SandboxServer(token=TOKEN).start()
    url = sandbox.url
    sandbox.stop()
    with pytest.raises(requests.ConnectionError):
        requests.post(url + "/api/v1/balance", headers=AUTH, timeout=2)
    with sandbox:
        assert sandbox.url == url
        assert post(sandbox, "/api/v1/balance").status_code == 200
