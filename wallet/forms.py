import re
import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class AdjustForm(forms.Form):
    amount = forms.IntegerField(
        label=_("Amount (Rp)"),
        help_text=_("Positive adds to the balance, negative takes from it (e.g. a payout)."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the ledger with your name: say why, and any reference."),
    )
    # One per form shown: sending the same form twice adjusts once.
    token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError(_("Enter an amount other than zero."))
        return amount

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why."))
        return reason


class DepositForm(forms.Form):
    """Top up the balance: one of the amount buttons, or any amount typed in range."""

    preset = forms.TypedChoiceField(
        label=_("Amount"), coerce=int, required=False, widget=forms.RadioSelect
    )
    amount = forms.CharField(
        label=_("Other amount (Rp)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    payment_method = forms.ChoiceField(label=_("Payment method"), widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs) -> None:
        from payments.providers import enabled_providers
        from storefront.templatetags.money import rupiah

        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = [
            (amount, rupiah(amount)) for amount in settings.WALLET_DEPOSIT_PRESETS
        ]
        providers = enabled_providers()
        self.fields["payment_method"].choices = [(p.name, p.label) for p in providers]
        if providers:
            self.fields["payment_method"].initial = providers[0].name
        low, high = settings.WALLET_DEPOSIT_MIN, settings.WALLET_DEPOSIT_MAX
        self.fields["amount"].help_text = _("From %(low)s to %(high)s.") % {
            "low": rupiah(low),
            "high": rupiah(high),
        }

    def clean_amount(self) -> int | None:
        """Digits, optionally written as people do: "Rp 50.000", "50,000", "50 000"."""
        raw = self.cleaned_data["amount"].strip()
        if not raw:
            return None
        digits = re.sub(r"^rp\.?\s*|[.,\s]", "", raw, flags=re.IGNORECASE)
        if not digits.isascii() or not digits.isdigit():
            raise forms.ValidationError(_("Enter the amount in rupiah, digits only."))
        return int(digits)

    def clean(self):
        cleaned = super().clean()
        amount = cleaned.get("amount") or cleaned.get("preset")
        if "amount" in self.errors:
            return cleaned
        low, high = settings.WALLET_DEPOSIT_MIN, settings.WALLET_DEPOSIT_MAX
        if not amount:
            self.add_error("amount", _("Choose an amount or type one."))
        elif not low <= amount <= high:
            from storefront.templatetags.money import rupiah

            self.add_error(
                "amount",
                _("Choose an amount from %(low)s to %(high)s.")
                % {"low": rupiah(low), "high": rupiah(high)},
            )
        cleaned["deposit_amount"] = amount
        return cleaned
