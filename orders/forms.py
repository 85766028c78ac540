"""Checkout and lookup forms. Prices never come from a form: only a variant code does."""

import phonenumbers
from django import forms
from django.utils.translation import gettext_lazy as _

from catalog import selectors
from catalog.account_fields import clean_values
from catalog.models import Product, Variant
from payments.providers import WalletProvider, enabled_providers
from payments.selectors import payment_methods

PHONE_REGION = "ID"


# Where checkout keeps, in the buyer's session, the contact last typed in that browser
# ({"email": …, "whatsapp": …}): "Change the order" fills it in again without a URL carrying it.
CONTACT_SESSION_KEY = "checkout_contact"


def normalise_phone(raw: str) -> str:
    """A valid Indonesian (or international) mobile number in E.164, else ValidationError."""
    try:
        number = phonenumbers.parse(raw, PHONE_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise forms.ValidationError(_("Enter a valid WhatsApp number, e.g. 0812 3456 7890."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class AccountField(forms.Field):
    """One game-account field, checked by catalog.account_fields alone.

    Django's own checks (required, max_length, valid choice) are left out on purpose: they
    would add a second, vaguer message beside the one naming the field ("User ID wajib diisi.").
    The widget still carries `required` and `maxlength` for the browser.
    """

    def __init__(self, spec: dict) -> None:
        self.spec = spec
        label = spec.get("label", spec["name"])
        if spec.get("kind") == "choice":
            widget = forms.Select(choices=[("", "—"), *[(c, c) for c in spec["choices"]]])
        else:
            attrs = {"autocomplete": "off", "spellcheck": "false", "maxlength": spec.get("max", 40)}
            if spec.get("kind") == "digits":
                attrs |= {"inputmode": "numeric", "pattern": "[0-9]*"}
            widget = forms.TextInput(attrs=attrs)
        super().__init__(label=label, widget=widget)

    def clean(self, value) -> str:
        name = self.spec["name"]
        values, errors = clean_values([self.spec], {name: value})
        if errors:
            raise forms.ValidationError(errors[0].message, code="invalid")
        return values[name]


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
    whatsapp_opt_in = forms.BooleanField(
        label=_("Send me order updates on WhatsApp"),
        required=False,
        help_text=_("Payment received, delivered or refunded. Reply STOP to end them."),
    )
    payment_method = forms.ChoiceField(label=_("Payment method"), widget=forms.RadioSelect)

    def __init__(self, *args, product: Product, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.product = product
        self.user = user
        self.account_fields = product.account_fields
        providers = enabled_providers()
        if user is not None and user.is_authenticated:
            providers.append(WalletProvider())  # a logged-in customer's balance; never a guest
        self.payment_methods = payment_methods(providers)
        self.fields["payment_method"].choices = [(m.value, m.label) for m in self.payment_methods]
        self.fields["payment_method"].initial = self.payment_methods[0].value
        for spec in self.account_fields:
            self.fields[f"account_{spec['name']}"] = AccountField(spec)

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
        cleaned["account"] = {
            spec["name"]: cleaned[f"account_{spec['name']}"]
            for spec in self.account_fields
            if f"account_{spec['name']}" in cleaned
        }
        provider, _sep, code = str(cleaned.get("payment_method", "")).partition(":")
        variant = cleaned.get("variant")
        if provider == "tripay" and code and variant is not None:
            from django.utils import timezone

            from payments import fees
            from promotions.quote import quote

            # The price this customer pays (member, sale), as the order will be priced.
            price = quote(variant, customer=self.user, now=timezone.now()).subtotal
            total = price + fees.customer_fee(code, price)
            if not fees.accepts(code, total):
                self.add_error(
                    "payment_method",
                    _("This payment method does not take this amount. Choose another."),
                )
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
