"""What went wrong sending a mail, for a log line. The receipts themselves are outbox messages
(notifications.services), written with the order's transition; their words live in
templates/orders/email/."""

import smtplib


def mail_error(exc: Exception) -> str:
    """What went wrong sending a mail, without the addresses: the error's kind and SMTP codes."""
    kind = type(exc).__name__
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in exc.recipients.values()})
        return f"{kind} (SMTP {', '.join(map(str, codes))})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{kind} (SMTP {exc.smtp_code})"
    if isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException) and exc.strerror:
        return f"{kind} ({exc.strerror})"
    return kind
