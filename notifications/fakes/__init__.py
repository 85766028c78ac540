"""Fake Fonnte and fake Telegram servers for the demo and the tests (as isipay/sandbox is for
isipay): they speak the public APIs the gateways are written to, keep what they received, and
fail on demand.

- FakeFonnte: POST /send (header Authorization, form target/message/countryCode) answers
  {"status": true, "id": [...], "detail": "success! message in queue", ...} or
  {"status": false, "reason": ...}; a target in `invalid_numbers` (or ending in 0000) is
  "target invalid".
- FakeTelegram: POST /bot<token>/sendMessage (JSON or form chat_id, text, parse_mode) answers
  {"ok": true, "result": {"message_id": ...}} or {"ok": false, "error_code": ..., ...}.

Faults, injected with inject(kind, times=n) (times=None: until clear_faults()): "http500",
"http502" (any httpNNN), "timeout" (answers after `slow_seconds`), "drop" (closes the connection
without an answer: the gateway is down), "quota" (Fonnte: "insufficient quota"), "flood"
(Telegram: 429 with parameters.retry_after).

GET / shows what each received, newest first: the demo's phone and chat screens. With `echo`
each message is also printed to the console.
"""

import html
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from fakeserver import Handler, Served, Server

FAKE_FONNTE_TOKEN = "fake-fonnte-token"  # noqa: S105 - a public demo value
FAKE_TELEGRAM_TOKEN = "123456:fake-telegram-token"  # noqa: S105 - a public demo value
FAKE_TELEGRAM_CHAT = "100200300"


@dataclass
class Received:
    to: str
    text: str
    id: str
    at: float = field(default_factory=time.time)


@dataclass
class _Fault:
    kind: str
    times: int | None


class _HTTPServer(Server):
    def handle_error(self, request, client_address) -> None:
        pass  # a client that gave up (a "timeout" fault) is not the fake's error


class _Handler(Handler):
    def _serve(self) -> None:
        fake = self.server.fake
        body = self.read_body()
        path = self.path.split("?", 1)[0]
        if self.command == "GET" and path == "/":
            return self.answer(200, "text/html; charset=utf-8", fake.inbox_page())
        with fake._lock:
            fake.requests += 1
        reply = fake.handle(self.command, path, self.headers, body)
        if reply[0] == "fault":
            return self._fault(reply[1])
        status, payload = reply
        self.answer(status, "application/json", json.dumps(payload).encode())

    def _fault(self, kind: str) -> None:
        if kind == "drop":
            self.close_connection = True
            return
        if kind == "timeout":
            time.sleep(self.server.fake.slow_seconds)
            return self.answer(200, "application/json", b'{"status": false, "reason": "late"}')
        status = int(kind[4:]) if kind.startswith("http") and kind[4:].isdigit() else 500
        self.answer(status, "text/html", b"<html>Server Error</html>")

    do_GET = do_POST = _serve


class _FakeServer(Served):
    """start(), serve_forever(), stop(), `with` and `url` come from fakeserver.Served."""

    title = "fake"
    label = "fake-gateway"
    what = "the fake gateway"
    handler = _Handler
    server_class = _HTTPServer

    def __init__(
        self,
        *,
        token: str,
        host: str = "127.0.0.1",
        port: int = 0,
        echo: bool = False,
        slow_seconds: float = 5.0,
    ) -> None:
        self.token = token
        self.host = host
        self.port = port
        self.echo = echo
        self.slow_seconds = slow_seconds
        self._lock = threading.Lock()
        self.received: list[Received] = []
        self.requests = 0
        self._faults: list[_Fault] = []
        self._next_id = 1000

    # --- faults -----------------------------------------------------------------------------

    def inject(self, kind: str, *, times: int | None = 1) -> None:
        with self._lock:
            self._faults.append(_Fault(kind, times))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def reset(self) -> None:
        with self._lock:
            self._faults.clear()
            self.received.clear()
            self.requests = 0

    def _take_fault(self) -> str | None:
        with self._lock:
            for fault in self._faults:
                if fault.times is None:
                    return fault.kind
                if fault.times > 0:
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                    return fault.kind
        return None

    def _record(self, to: str, text: str) -> Received:
        with self._lock:
            self._next_id += 1
            item = Received(to=to, text=text, id=str(self._next_id))
            self.received.append(item)
        if self.echo:
            self._print(item)
        return item

    def _print(self, item: Received) -> None:
        line = "─" * 60
        sys.stdout.write(f"\n{line}\n{self.title} → {self.shown_recipient(item.to)}\n{line}\n")
        sys.stdout.write(f"{item.text}\n{line}\n")
        sys.stdout.flush()

    def shown_recipient(self, to: str) -> str:
        return to

    def texts(self, to: str | None = None) -> list[str]:
        with self._lock:
            return [r.text for r in self.received if to is None or r.to == to]

    # --- HTTP -------------------------------------------------------------------------------

    def handle(self, method: str, path: str, headers, body: bytes) -> tuple[Any, Any]:
        raise NotImplementedError

    def inbox_page(self) -> bytes:
        with self._lock:
            items = list(reversed(self.received))
        rows = "".join(
            f"<article><header>{html.escape(self.shown_recipient(r.to))} · "
            f"{time.strftime('%H:%M:%S', time.localtime(r.at))}</header>"
            f"<pre>{html.escape(r.text)}</pre></article>"
            for r in items
        )
        page = (
            "<!doctype html><meta charset=utf-8><meta http-equiv=refresh content=3>"
            f"<title>{self.title}</title><style>body{{font-family:system-ui;max-width:40rem;"
            "margin:auto;padding:1rem;background:#ece5dd}article{background:#fff;border-radius:8px;"
            "padding:.5rem 1rem;margin:.5rem 0}pre{white-space:pre-wrap;font-family:inherit}"
            f"header{{color:#666;font-size:.85em}}</style><h1>{self.title}</h1>"
            f"{rows or '<p>No messages yet.</p>'}"
        )
        return page.encode()


def _json(status: int, payload: Any) -> tuple[int, Any]:
    return status, payload


class FakeFonnte(_FakeServer):
    title = "Fake Fonnte (WhatsApp)"

    def __init__(self, *, token: str = FAKE_FONNTE_TOKEN, **kwargs) -> None:
        super().__init__(token=token, **kwargs)
        self.invalid_numbers: set[str] = set()

    def shown_recipient(self, to: str) -> str:
        return f"{to[:5]}{'•' * max(len(to) - 8, 3)}{to[-3:]}" if len(to) > 8 else to

    def handle(self, method, path, headers, body):
        if method != "POST" or path.rstrip("/") != "/send":
            return _json(404, {"status": False, "reason": "not found"})
        fault = self._take_fault()
        if fault == "quota":
            return _json(200, {"status": False, "reason": "insufficient quota"})
        if fault is not None:
            return ("fault", fault)
        if headers.get("Authorization") != self.token:
            return _json(200, {"status": False, "reason": "token invalid"})
        form = _form(headers, body)
        target, message = form.get("target", ""), form.get("message", "")
        country = form.get("countryCode", "62")
        if not target or not message:
            return _json(200, {"status": False, "reason": "input invalid"})
        if target.startswith("0") and country != "0":
            target = country + target[1:]
        if not target.isdigit() or target in self.invalid_numbers or target.endswith("0000"):
            return _json(200, {"status": False, "reason": "target invalid"})
        item = self._record(target, message)
        return _json(
            200,
            {
                "detail": "success! message in queue",
                "id": [item.id],
                "process": "pending",
                "requestid": int(item.id) + 5000,
                "status": True,
                "target": [target],
            },
        )


class FakeTelegram(_FakeServer):
    title = "Fake Telegram (owner)"

    def __init__(self, *, token: str = FAKE_TELEGRAM_TOKEN, retry_after: int = 3, **kwargs):
        super().__init__(token=token, **kwargs)
        self.retry_after = retry_after
        self.chats: set[str] = {FAKE_TELEGRAM_CHAT}

    def handle(self, method, path, headers, body):
        prefix = f"/bot{self.token}/"
        if not path.startswith("/bot"):
            return _json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        if not path.startswith(prefix):
            return _json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        if path[len(prefix) :] != "sendMessage":
            return _json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        fault = self._take_fault()
        if fault == "flood":
            return _json(
                429,
                {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {self.retry_after}",
                    "parameters": {"retry_after": self.retry_after},
                },
            )
        if fault is not None:
            return ("fault", fault)
        form = _form(headers, body)
        chat_id, text = str(form.get("chat_id", "")), str(form.get("text", ""))
        if not text:
            return _json(
                400, {"ok": False, "error_code": 400, "description": "Bad Request: text is empty"}
            )
        if chat_id not in self.chats:
            return _json(
                400,
                {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
            )
        item = self._record(chat_id, text)
        return _json(
            200,
            {
                "ok": True,
                "result": {"message_id": int(item.id), "chat": {"id": chat_id}, "text": text},
            },
        )

    def _print(self, item: Received) -> None:
        plain = html.unescape(item.text.replace("<b>", "").replace("</b>", ""))
        super()._print(Received(item.to, plain, item.id, item.at))


def _form(headers, body: bytes) -> dict[str, Any]:
    if "json" in (headers.get("Content-Type") or ""):
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
