from .errors import PaymentError, PaymentRefused, PaymentUnavailable

__all__ = ["PaymentError", "PaymentRefused", "PaymentUnavailable"]
