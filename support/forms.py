from django import forms
from django.utils.translation import gettext_lazy as _

from .models import OrderNote


class ComplaintForm(forms.Form):
    topic = forms.ChoiceField(
        label=_("What went wrong?"), choices=OrderNote.Topic.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Tell us more"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"min_length": _("Please write at least a sentence (10 characters).")},
    )
    contact = forms.CharField(
        label=_("Email or WhatsApp for our answer (optional)"),
        required=False,
        max_length=254,
        help_text=_("Empty: we answer at the contact given with the order."),
    )
