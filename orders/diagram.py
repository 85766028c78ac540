"""The order state machine as a Mermaid diagram, drawn from Order.TRANSITIONS.

The README's "How it fits together" holds its output (`manage.py order_diagram`); a test
checks the two are the same, so the picture cannot drift from the table.
"""

from .models import Order


def mermaid() -> str:
    """A Mermaid stateDiagram-v2 of Order.TRANSITIONS: a new order starts awaiting payment,
    the final statuses (Order.FINAL) end."""
    lines = ["stateDiagram-v2", f"    [*] --> {Order.Status.AWAITING_PAYMENT.value}"]
    for from_, targets in Order.TRANSITIONS.items():
        lines += [f"    {Order.Status(from_).value} --> {Order.Status(to).value}" for to in targets]
    lines += [f"    {Order.Status(final).value} --> [*]" for final in Order.FINAL]
    return "\n".join(lines) + "\n"
