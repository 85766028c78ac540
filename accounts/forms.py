from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from orders.forms import normalise_phone


class ProfileForm(forms.Form):
    whatsapp = forms.CharField(label=_("WhatsApp number"), max_length=24, required=False)
    language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)

    def clean_whatsapp(self) -> str:
        raw = self.cleaned_data["whatsapp"].strip()
        return normalise_phone(raw) if raw else ""


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not right."))
        return password


class LabelForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=60, required=False)
