"""Checkout and lookup forms. Prices never come from a form: only a variant code does."""

import phonenumbers
from django import forms
from django.utils.translation import gettext_lazy as _

from catalog import selectors
from catalog.account_fields import clean_values
from catalog.models import Product, Variant
from payments.providers import enabled_providers

PHONE_REGION = "ID"


def normalise_phone(raw: str) -> str:
    """A valid Indonesian (or international) mobile number in E.164, else ValidationError."""
    try:
        number = phonenumbers.parse(raw, PHONE_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise forms.ValidationError(_("Enter a valid WhatsApp number, e.g. 0812 3456 7890."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class CheckoutForm(forms.Form):
    variant = forms.CharField(
        max_length=100,
        error_messages={"required": _("Choose an item to top up.")},
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("We send the receipt here."),
        error_messages={"required": _("Enter your email for the receipt.")},
    )
    whatsapp = forms.CharField(label=_("WhatsApp number (optional)"), max_length=24, required=False)
    payment_method = forms.ChoiceField(label=_("Payment method"), widget=forms.RadioSelect)

    def __init__(self, *args, product: Product, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.product = product
        self.account_fields = product.account_fields
        providers = enabled_providers()
        self.fields["payment_method"].choices = [(p.name, p.label) for p in providers]
        self.fields["payment_method"].initial = providers[0].name
        for spec in self.account_fields:
            self.fields[f"account_{spec['name']}"] = self._account_field(spec)

    @staticmethod
    def _account_field(spec: dict) -> forms.Field:
        label = spec.get("label", spec["name"])
        if spec.get("kind") == "choice":
            return forms.ChoiceField(
                label=label, choices=[("", "—"), *[(c, c) for c in spec["choices"]]]
            )
        attrs = {"autocomplete": "off", "spellcheck": "false"}
        if spec.get("kind") == "digits":
            attrs |= {"inputmode": "numeric", "pattern": "[0-9]*"}
        return forms.CharField(
            label=label, max_length=spec.get("max", 40), widget=forms.TextInput(attrs=attrs)
        )

    def account_bound_fields(self):
        return [self[f"account_{spec['name']}"] for spec in self.account_fields]

    def clean_variant(self) -> Variant:
        variant = selectors.variant_for_sale(
            product=self.product, code=self.cleaned_data["variant"]
        )
        if variant is None:
            raise forms.ValidationError(_("This item is not available any more. Choose another."))
        return variant

    def clean_whatsapp(self) -> str:
        raw = self.cleaned_data["whatsapp"].strip()
        return normalise_phone(raw) if raw else ""

    def clean(self):
        cleaned = super().clean()
        raw = {
            spec["name"]: self.data.get(f"account_{spec['name']}", "")
            for spec in self.account_fields
        }
        values, errors = clean_values(self.account_fields, raw)
        for error in errors:
            self.add_error(f"account_{error.name}", error.message)
        cleaned["account"] = values
        return cleaned


class LookupForm(forms.Form):
    number = forms.CharField(
        label=_("Order number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"placeholder": "GR-XXXXXXXX", "autocapitalize": "characters"}
        ),
    )
    contact = forms.CharField(
        label=_("Email or WhatsApp number used for the order"), max_length=254
    )

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip().upper()
        return number if number.startswith("GR-") else f"GR-{number}"
