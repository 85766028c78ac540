"""No customer contact in the logs: code never passes one to a logger, and the redact filter
catches every format checkout accepts if some code ever does, tracebacks included."""

import contextlib
import logging
import socketserver
import sys
import threading

import phonenumbers
import pytest

from notifications import services as notifications
from notifications.models import Message
from orders import services as order_services
from orders.forms import normalise_phone
from storefront.logging import JsonFormatter, RedactFilter, TextFormatter

from ..factories import VariantFactory

EMAIL = "budi.santoso.rahasia@contoh.example"
PHONE = "+6281398765432"


class RefusingSmtp(socketserver.StreamRequestHandler):
    """An SMTP server that refuses every recipient, naming the address as real servers do."""

    def handle(self):
        self.say("220 mail.example ESMTP")
        for line in self.rfile:
            command = line.decode().strip()
            verb = command.split(" ", 1)[0].split(":", 1)[0].upper()
            if verb == "RCPT":
                address = command.split(":", 1)[1].strip()
                self.say(f"550 5.1.1 {address}: Recipient address rejected: User unknown")
            elif verb == "QUIT":
                self.say("221 bye")
                return
            elif verb in ("EHLO", "HELO", "MAIL", "RSET", "NOOP"):
                self.say("250 ok")
            else:
                self.say("502 not implemented")

    def say(self, text: str) -> None:
        self.wfile.write(f"{text}\r\n".encode())


@contextlib.contextmanager
def refusing_smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), RefusingSmtp)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.django_db
def test_a_refused_receipt_logs_the_order_number_not_the_address(settings, caplog):
    order = order_services.create_order(
        variant=VariantFactory(),
        account={"user_id": "123"},
        contact_email=EMAIL,
        contact_phone=PHONE,
    )
    caplog.set_level(logging.DEBUG)
    with refusing_smtp_server() as port:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        assert notifications.resend_order_receipt(order_id=order.pk, kind="success")
        message = Message.objects.get(order=order)
        assert notifications.send_message(message_id=message.pk) == "failed"  # 550: refused

    failed = [r for r in caplog.records if "could not be sent" in r.getMessage()]
    assert len(failed) == 1
    assert order.number in failed[0].getMessage() and "550" in failed[0].getMessage()
    assert failed[0].order == order.number
    # The raw records, before any filter: nothing for the filter to catch.
    raw = caplog.text + "\n".join(JsonFormatter().format(r) for r in caplog.records)
    for secret in (EMAIL, "budi.santoso.rahasia", PHONE, "81398765432"):
        assert secret not in raw


# Every way checkout takes a number (each one valid for phonenumbers, as checkout checks).
PHONES = [
    "+6281398765432",
    "6281398765432",
    "081398765432",
    "81398765432",
    "0813-9876-5432",
    "0813 9876 5432",
    "(0813) 9876 5432",
    "0813.9876.5432",
    "+62 813-9876-5432",
    "+62 (813) 9876-5432",
    "62 813 9876 5432",
    "+60123456789",
    "+1 202 555 0143",
    "0812-7777-3456",
    "+44 20 7946 0958",
    "021 555 1234",
    "０８１３９８７６５４３２",
]
EMAILS = [
    "budi@contoh.example",
    "Budi.S+x@mail.co.id",
    "o'brien@contoh.example",
    '"budi santoso"@contoh.example',
    "siti@例え.jp",
    "admin@[127.0.0.1]",
    "a_b-c@sub.d-e.id",
]


def test_every_phone_format_checkout_accepts_is_one_the_filter_knows():
    for raw in PHONES:
        assert normalise_phone(raw), raw  # checkout accepts it…
        assert phonenumbers.is_valid_number(phonenumbers.parse(raw, "ID")), raw


@pytest.mark.parametrize("secret", PHONES + EMAILS)
def test_the_redact_filter_catches_contacts_in_messages_extras_and_tracebacks(secret):
    try:
        try:
            raise OSError(f"refused <{secret}>")
        except OSError as inner:
            raise RuntimeError({secret: (550, b"rejected")}) from inner
    except RuntimeError:
        exc_info = sys.exc_info()
    record = logging.getLogger("orders.notifications").makeRecord(
        "orders.notifications",
        logging.ERROR,
        __file__,
        1,
        "mail to %s failed",
        (secret,),
        exc_info,
        extra={"note": f"contact={secret}."},
        sinfo=f"stack with {secret}",
    )
    assert RedactFilter().filter(record)
    for formatter in (JsonFormatter(), TextFormatter("%(message)s %(note)s")):
        line = formatter.format(record)
        assert secret not in line, line
        digits = "".join(c for c in secret if c.isdigit())
        if secret in PHONES:
            assert digits[-8:] not in "".join(c for c in line if c.isdigit()), line
        assert ("[phone]" if secret in PHONES else "[email]") in line


LEFT_ALONE = [
    "order GR-0812345 reference GRR081234567890AB invoice INV6281234567890",
    "invoice INV-2026-1201-1234-5678 transaction 3f1c2a9e-1234-5678-9abc-0123456789ab",
    "at 2026-12-01 08:56:46,837 / 2026-12-01T08:56:46.123+00:00",
    "from 192.168.100.200 via 203.0.113.7",
    "cost Rp 11.330, price Rp 66.200, balance 5000000, took 1234 ms",
    "isipay balance 1250000000, invoice 202612010001234, deposit 9000000000",
    'File "/app/orders/services.py", line 1234, in submit_order',
    "message 1764567890123_0f1e.submit.msg",
]


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_the_redact_filter_leaves_numbers_that_are_not_contacts(text):
    assert RedactFilter().redact(text) == text
