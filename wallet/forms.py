import uuid

from django import forms
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
