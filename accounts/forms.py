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


class LabelForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=60, required=False)
