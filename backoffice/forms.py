from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Days as Indonesians write them (31/01/2025), not the browser's own date picker, which shows
# mm/dd/yyyy in an English browser; 2025-01-31 (links, bookmarks) is still understood.
DAY_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
DAY_WIDGET = forms.DateInput(
    attrs={"placeholder": "hh/bb/tttt", "inputmode": "numeric", "size": 10}, format="%d/%m/%Y"
)


class PeriodForm(forms.Form):
    """A period of whole days, both included; without input, the last `default_days` days."""

    MAX_DAYS = 366

    start = forms.DateField(label=_("From"), input_formats=DAY_FORMATS, widget=DAY_WIDGET)
    end = forms.DateField(label=_("To"), input_formats=DAY_FORMATS, widget=DAY_WIDGET)

    def __init__(self, data=None, *, default_days: int, **kwargs):
        today = timezone.localdate()
        self.default = (today - timedelta(days=default_days - 1), today)
        if data is not None and not {"start", "end"} & set(data):
            data = None  # no period asked for: show the default one
        super().__init__(data, initial={"start": self.default[0], "end": self.default[1]}, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The period ends before it starts."))
            if (end - start).days >= self.MAX_DAYS:
                raise forms.ValidationError(
                    _("Choose at most %(days)d days.") % {"days": self.MAX_DAYS}
                )
        return cleaned

    def period(self) -> tuple[date, date]:
        """The period asked for when valid, else the default one."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return self.default
