"""Every string the back office shows, collected from the admin registry, the sidebar and our
admin templates, with its source text (for tests/backoffice/test_admin_language.py)."""

import re
from pathlib import Path

import unfold
from django.conf import settings
from django.contrib import admin
from django.contrib.admin import SimpleListFilter
from django.utils.functional import Promise
from django.utils.translation import gettext, override

# Words that are Indonesian, or names, in either language: nothing to translate.
SAME_IN_BOTH = {
    "Gerai",
    "isipay",
    "FAQ",
    "Banner",
    "banner",
    "Email",
    "email",
    "e-mail",
    "WhatsApp",
    "Telegram",
    "Midtrans",
    "Tripay",
    # Payment method groups as Indonesian customers and gateways name them.
    "QRIS",
    "E-Wallet",
    "Virtual Account",
    "Minimarket",
    "flash sale",
    "promo",
    "ID",
    "id",
    "URL",
    "url",
    "slug",
    "Slug",
    "Status",
    "status",
    "Total",
    "total",
    "Invoice",
    "invoice",
    "Game",
    "game",
    "Login",
    "login",
    "SKU",
    "CSV",
    "API",
    "pin",
    "Pin",
    "Token",
    "token",
    "Margin",
    "margin",
    "Item",
    "item",
    "Online",
    "online",
    "Offline",
    "offline",
    "Media",
    "media",
    "Fonnte",
    "Google",
    "PIN",
    "Bahasa Indonesia",
    "Label",
    "Normal",
    "Streaming",
    "Rupiah.",
    "crontab",
    "data",
    "interval",
    "markup",
    "Markup",
}

TEMPLATE_DIRS = ["templates/admin", "templates/backoffice", "templates/unfold"]
TRANSLATE = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.+?)\1""")
BLOCK = re.compile(
    r"\{%\s*blocktrans(?:late)?\b([^%]*)%\}(.*?)\{%\s*(?:plural|endblocktrans(?:late)?)\s*%\}", re.S
)


def source(text) -> str:
    """The English source of a label: a lazy translation's msgid, else the text in English."""
    if isinstance(text, Promise) and getattr(text, "_args", None):
        return str(text._args[0])
    with override("en"):
        return str(text)


def _blocktranslate_msgid(options: str, body: str) -> str:
    if "trimmed" in options:
        body = " ".join(line.strip() for line in body.strip().splitlines() if line.strip())
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", r"%(\1)s", body.replace("%", "%%"))


def template_strings() -> set[str]:
    """Our admin templates' strings and django-unfold's (which has no Indonesian of its own)."""
    found = set()
    folders = [Path(settings.BASE_DIR) / folder for folder in TEMPLATE_DIRS]
    for folder in [*folders, Path(unfold.__file__).parent / "templates"]:
        for path in folder.rglob("*.html"):
            text = path.read_text()
            found |= {match[1] for match in TRANSLATE.findall(text)}
            found |= {_blocktranslate_msgid(*match) for match in BLOCK.findall(text)}
    return found


def registry_strings(site=admin.site) -> set:
    found = set()
    apps = set()
    for model, model_admin in site._registry.items():
        opts = model._meta
        apps.add(opts.app_config.verbose_name)
        found |= {opts.verbose_name, opts.verbose_name_plural}
        for field in opts.get_fields():
            if field.is_relation and field.auto_created:
                continue
            found.add(getattr(field, "verbose_name", None))
            found.add(getattr(field, "help_text", None))
            choices = getattr(field, "flatchoices", None) or []
            for _value, label in choices if len(choices) < 100 else []:  # not time zones
                found.add(label)
        for name in [*model_admin.list_display, *(model_admin.readonly_fields or ())]:
            function = getattr(model_admin, name, None) if isinstance(name, str) else name
            found.add(getattr(function, "short_description", None))
        for entry in model_admin.list_filter:
            if isinstance(entry, type) and issubclass(entry, SimpleListFilter):
                found.add(entry.title)
        for _function, _name, description in model_admin._get_base_actions():
            found.add(description)
        found |= {name for name, _options in model_admin.fieldsets or ()}
        for inline in model_admin.inlines:
            found |= {inline.model._meta.verbose_name, inline.model._meta.verbose_name_plural}
    return {text for text in found | apps if text}


def untranslated(strings, *, labels: bool = False) -> list[str]:
    """The English sources without an Indonesian translation; with labels (model and admin
    labels, not template msgids), also those written as plain text, never translated."""
    missing = set()
    with override("id"):
        for text in strings:
            msgid = source(text)
            words = re.sub(r"%\(\w+\)s", "", msgid)
            if not re.search("[A-Za-z]", words) or words.strip() in SAME_IN_BOTH:
                continue
            if gettext(msgid) == msgid and str(text) == msgid:
                missing.add(msgid)
            elif labels and isinstance(text, str) and gettext(msgid) != msgid:
                # Translated in locale/id but written as plain text: shown in English.
                missing.add(f"{msgid} (plain text: wrap it in gettext_lazy)")
    return sorted(missing)
