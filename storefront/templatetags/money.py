from django import template

register = template.Library()


@register.filter
def rupiah(amount) -> str:
    """15000 -> "Rp 15.000": Indonesian thousands separator, no decimals (rupiah have none)."""
    if amount is None or amount == "":
        return ""
    value = int(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}Rp {abs(value):,}".replace(",", ".")
