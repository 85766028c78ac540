"""The outside services a message goes through, behind one small interface each.

Framework-free (no Django): a gateway is built with its URL, token and timeouts, sends one text
and answers the provider's message id, or raises SendError saying whether trying again can help.
WhatsApp goes through Fonnte (https://docs.fonnte.com/api-send-message/); another gateway
(Wablas, the WhatsApp Cloud API) is one more class with the same `send`. The owner's alerts
go through the Telegram Bot API's sendMessage (https://core.telegram.org/bots/api#sendmessage).

Neither a phone number nor a message body ever goes into an exception's text: the outbox logs
and stores those texts.
"""

from dataclasses import dataclass
from typing import Protocol

import requests


class SendError(Exception):
    """The message did not go out. `permanent`: sending it again cannot help (an invalid
    number, a chat that does not exist). `retry_after`: seconds the provider asked us to wait."""

    def __init__(self, reason: str, *, permanent: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


@dataclass(frozen=True)
class Sent:
    provider: str
    message_id: str


class TextGateway(Protocol):
    name: str

    def send(self, *, to: str, text: str) -> Sent: ...


# Fonnte answers HTTP 200 with {"status": false, "reason": …} for what it refuses. These
# reasons are about the message itself: sending it again gives the same answer. Any other
# (a disconnected device, "insufficient quota", a token being replaced) may pass.
FONNTE_PERMANENT_REASONS = ("target invalid", "input invalid", "invalid target", "number invalid")


class FonnteGateway:
    """WhatsApp through Fonnte: POST {base}/send, header `Authorization: TOKEN` (no "Bearer"),
    form fields `target`, `message`, `countryCode`. Success: {"status": true, "id": ["…"],
    "detail": "success! message in queue", …}; refusal: {"status": false, "reason": "…"}."""

    name = "fonnte"

    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        country_code: str = "62",
        timeout: float = 10,
        connect_timeout: float = 5,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.country_code = country_code
        self.timeout = (connect_timeout, timeout)
        self.session = session or requests.Session()

    def send(self, *, to: str, text: str) -> Sent:
        target = "".join(ch for ch in to if ch.isdigit())  # E.164 without "+": 6281234567890
        try:
            response = self.session.post(
                f"{self.base_url}/send",
                headers={"Authorization": self.token},
                data={"target": target, "message": text, "countryCode": self.country_code},
                timeout=self.timeout,
            )
        except requests.Timeout as exc:
            raise SendError("timeout", permanent=False) from exc
        except requests.RequestException as exc:
            raise SendError(f"unreachable ({type(exc).__name__})", permanent=False) from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise SendError(f"HTTP {response.status_code}", permanent=False)
        try:
            answer = response.json()
        except ValueError as exc:
            raise SendError(f"HTTP {response.status_code}, not JSON", permanent=False) from exc
        if not isinstance(answer, dict):
            raise SendError(f"HTTP {response.status_code}, unexpected answer", permanent=False)
        # Fonnte's examples write the key "status", some of its error answers "Status".
        status = answer.get("status", answer.get("Status"))
        if status is True:
            ids = answer.get("id")
            first = ids[0] if isinstance(ids, list) and ids else ids
            return Sent(self.name, str(first or answer.get("requestid") or ""))
        reason = str(answer.get("reason") or answer.get("detail") or "refused")[:200]
        if response.status_code >= 400 and response.status_code not in (401, 403):
            permanent = response.status_code in (400, 404, 422)
        else:
            permanent = any(word in reason.lower() for word in FONNTE_PERMANENT_REASONS)
        raise SendError(f"fonnte: {reason}", permanent=permanent)


class TelegramGateway:
    """The owner's alerts through the Telegram Bot API: POST {api}/bot{token}/sendMessage with
    chat_id, text and parse_mode "HTML". Answers {"ok": true, "result": {"message_id": …}} or
    {"ok": false, "error_code": …, "description": …}; a flood limit is error_code 429 with
    "parameters": {"retry_after": seconds}."""

    name = "telegram"

    def __init__(
        self,
        *,
        api_url: str,
        token: str,
        timeout: float = 10,
        connect_timeout: float = 5,
        session: requests.Session | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.token = token
        self.timeout = (connect_timeout, timeout)
        self.session = session or requests.Session()

    def send(self, *, to: str, text: str) -> Sent:
        try:
            response = self.session.post(
                f"{self.api_url}/bot{self.token}/sendMessage",
                json={
                    "chat_id": to,
                    "text": text,
                    "parse_mode": "HTML",
                    "link_preview_options": {"is_disabled": True},
                },
                timeout=self.timeout,
            )
        except requests.Timeout as exc:
            raise SendError("timeout", permanent=False) from exc
        except requests.RequestException as exc:
            # The exception's text would carry the URL, and with it the bot token.
            raise SendError(f"unreachable ({type(exc).__name__})", permanent=False) from exc
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise SendError(f"HTTP {response.status_code}, not JSON", permanent=False)
        if answer.get("ok") is True:
            result = answer.get("result") or {}
            return Sent(self.name, str(result.get("message_id", "")))
        code = answer.get("error_code", response.status_code)
        description = str(answer.get("description") or "")[:200]
        if code == 429:
            parameters = answer.get("parameters") or {}
            retry_after = parameters.get("retry_after")
            raise SendError(
                f"telegram 429: {description}",
                permanent=False,
                retry_after=float(retry_after) if isinstance(retry_after, int | float) else None,
            )
        if not isinstance(code, int) or code >= 500:
            raise SendError(f"telegram {code}: {description}", permanent=False)
        # 400 (chat not found, a text it cannot parse), 401 (token), 403 (bot blocked):
        # sending the same again gives the same answer; the outbox falls back to e-mail.
        raise SendError(f"telegram {code}: {description}", permanent=True)
