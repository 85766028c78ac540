"""One structured line per event, carrying the order context, never a secret or a contact."""

import json
import logging
import sys

import pytest

from orders import services as order_services
from storefront.logging import JsonFormatter, RedactFilter, TextFormatter

from ..factories import VariantFactory

TOKEN = "tok-9f8e7d6c5b4a39281706"


def record(message="order %s moved", *args, exc_info=None, **extra) -> logging.LogRecord:
    made = logging.getLogger("orders.services").makeRecord(
        "orders.services",
        logging.INFO,
        __file__,
        1,
        message,
        args or ("GR-1",),
        exc_info,
        extra=extra,
    )
    return made


def test_json_lines_carry_the_order_context_and_stay_on_one_line():
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        exc_info = sys.exc_info()
    line = JsonFormatter().format(
        record(exc_info=exc_info, order="GR-ABCD1234", reference="GRR0123456789ABCDEF")
    )
    assert "\n" not in line
    data = json.loads(line)
    assert data["level"] == "INFO"
    assert data["logger"] == "orders.services"
    assert data["message"] == "order GR-1 moved"
    assert data["order"] == "GR-ABCD1234"
    assert data["reference"] == "GRR0123456789ABCDEF"
    assert data["time"].endswith("+00:00")
    assert "ValueError: boom" in data["exc"]


def test_json_keeps_only_method_and_path_of_a_request(rf):
    request = rf.get("/orders/lookup/?contact=someone@example.com")
    data = json.loads(JsonFormatter().format(record(request=request, status_code=404)))
    assert data["request"] == "GET /orders/lookup/"
    assert data["status_code"] == 404


def test_text_lines_show_the_order_context():
    formatter = TextFormatter("%(levelname)s %(message)s")
    line = formatter.format(record(order="GR-ABCD1234", reference="GRR01"))
    assert line == "INFO order GR-1 moved [order=GR-ABCD1234 reference=GRR01]"
    assert formatter.format(record()) == "INFO order GR-1 moved"


def test_redact_filter_removes_secrets_emails_and_phones(settings):
    settings.ISIPAY_API_TOKEN = TOKEN
    redact = RedactFilter()
    try:
        raise RuntimeError(f"call failed with Bearer {TOKEN} for budi@contoh.example")
    except RuntimeError:
        exc_info = sys.exc_info()
    item = record(
        "to %s, %s, phone %s, token %s",
        "budi@contoh.example",
        "Budi.S+x@mail.co.id",
        "+6281234567890",
        TOKEN,
        exc_info=exc_info,
        note="wa 081234567890",
    )
    assert redact.filter(item)
    text = JsonFormatter().format(item)
    for secret in (TOKEN, "budi@contoh.example", "Budi.S+x@mail.co.id", "81234567890"):
        assert secret not in text
    assert "[email]" in text and "[phone]" in text and "[redacted]" in text


def test_redact_filter_leaves_order_references_and_invoices_alone(settings):
    redact = RedactFilter()
    item = record(
        "order %s reference %s invoice %s", "GR-0812345", "GRR081234567890AB", "INV6281234567890"
    )
    redact.filter(item)
    assert item.getMessage() == (
        "order GR-0812345 reference GRR081234567890AB invoice INV6281234567890"
    )


@pytest.mark.django_db
def test_order_transitions_are_logged_with_number_and_reference(caplog):
    variant = VariantFactory()
    order = order_services.create_order(
        variant=variant,
        account={"user_id": "123"},
        contact_email="siti@contoh.example",
        contact_phone="+6281298765432",
    )
    caplog.set_level(logging.DEBUG)
    order_services.expire_order(order_id=order.pk)
    moved = [r for r in caplog.records if "awaiting_payment -> expired" in r.getMessage()]
    assert len(moved) == 1
    assert moved[0].order == order.number
    assert moved[0].reference == order.reference_number
    assert "siti@contoh.example" not in caplog.text
