"""What kind of shop this is, for templates: the TEST MODE banner (templates/base.html)."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def payment_test_mode() -> bool:
    """True while the sandbox payment provider is offered (settings.PAYMENT_TEST_MODE).

    A process-wide setting, the same for every visitor: cached pages may carry the banner.
    """
    return settings.PAYMENT_TEST_MODE
