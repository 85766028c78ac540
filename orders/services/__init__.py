"""Every order write, and every status change, happens in this package.

One module per concern; everything is re-exported here, so callers keep writing
`from orders import services` and `services.submit_order(...)`:

- transitions: _transition and _transition_many (the one status change, along
  Order.TRANSITIONS, for one order or a chunk), _note, schedule (the one way services queue
  Celery tasks), small shared helpers
- checkout: create_order, mark_paid, expire_order, expire_unpaid, change_order,
  note_late_payment
- submission: submit_order, sweep_submissions, the submission queue's pause switch,
  check_supplier_balance
- polling: poll_due, poll_order, repoll_now
- review: resolve_review, resend_receipt
- refunds: refund_order, sweep_refunds, refunded_by_hand, and the customer's refund choice
  (refund_choice_until, refund_to_wallet, refund_to_original_method)
"""

from ..models import IllegalTransition
from .checkout import (
    NotForSale,
    change_order,
    create_order,
    expire_order,
    expire_unpaid,
    mark_paid,
    note_late_payment,
    switch_payment_method,
)
from .polling import (
    PollOutcome,
    _lease_due,
    _poll_again,
    _release_lease,
    lease_due_orders,
    poll_due,
    poll_order,
    repoll_now,
)
from .refunds import (
    NotYourOrder,
    refund_choice_until,
    refund_order,
    refund_to_original_method,
    refund_to_wallet,
    refunded_by_hand,
    sweep_refunds,
)
from .review import RECEIPT_KINDS, _to_review, resend_receipt, resolve_review
from .submission import (
    CostUnknown,
    ItemGone,
    SubmitOutcome,
    _adopt_by_reference,
    _current_cost,
    _reject,
    _retry_later,
    _retry_unread_cost,
    _start_processing,
    _wait_for_supplier,
    check_supplier_balance,
    pause_submissions,
    resume_submissions,
    submit_order,
    sweep_submissions,
)
from .transitions import _note, _seconds, _transition, _transition_many, schedule

__all__ = [
    "RECEIPT_KINDS",
    "CostUnknown",
    "IllegalTransition",
    "ItemGone",
    "NotForSale",
    "NotYourOrder",
    "PollOutcome",
    "SubmitOutcome",
    "_adopt_by_reference",
    "_current_cost",
    "_lease_due",
    "_note",
    "_poll_again",
    "_reject",
    "_release_lease",
    "_retry_later",
    "_retry_unread_cost",
    "_seconds",
    "_start_processing",
    "_to_review",
    "_transition",
    "_transition_many",
    "_wait_for_supplier",
    "change_order",
    "check_supplier_balance",
    "create_order",
    "expire_order",
    "expire_unpaid",
    "lease_due_orders",
    "mark_paid",
    "note_late_payment",
    "pause_submissions",
    "poll_due",
    "poll_order",
    "refund_choice_until",
    "refund_order",
    "refund_to_original_method",
    "refund_to_wallet",
    "refunded_by_hand",
    "repoll_now",
    "resend_receipt",
    "resolve_review",
    "resume_submissions",
    "schedule",
    "submit_order",
    "sweep_refunds",
    "sweep_submissions",
    "switch_payment_method",
]
