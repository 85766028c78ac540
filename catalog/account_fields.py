"""The game-account fields a customer fills in, and how they join into isipay's `data` string.

A product stores a list of field specs (JSON) and a template such as "{user_id}({zone_id})".
Presets cover the games whose format is known; anything else gets a single "User ID" field.
"""

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

USER_ID = {"name": "user_id", "label": "User ID", "kind": "digits", "min": 4, "max": 20}
ZONE_ID = {"name": "zone_id", "label": "Zone ID", "kind": "digits", "min": 1, "max": 8}

# HoYoverse games: a 9-10 digit UID and the server region.
HOYOVERSE = (
    [
        {"name": "user_id", "label": "UID", "kind": "digits", "min": 9, "max": 10},
        {
            "name": "server",
            "label": "Server",
            "kind": "choice",
            "choices": ["Asia", "America", "Europe", "TW, HK, MO"],
        },
    ],
    "{user_id}|{server}",
)

PRESETS: dict[str, tuple[list[dict], str]] = {
    "mobile-legends": ([USER_ID, ZONE_ID], "{user_id}({zone_id})"),
    "magic-chess-go-go": ([USER_ID, ZONE_ID], "{user_id}({zone_id})"),
    "genshin-impact": HOYOVERSE,
    "honkai-star-rail": HOYOVERSE,
    "google-play-voucher": (
        [{"name": "user_id", "label": "Email", "kind": "text", "min": 6, "max": 100}],
        "{user_id}",
    ),
    "vidio-premier": (
        [{"name": "user_id", "label": "Email Vidio", "kind": "text", "min": 6, "max": 100}],
        "{user_id}",
    ),
    "dana": (
        [{"name": "user_id", "label": "Nomor HP DANA", "kind": "digits", "min": 10, "max": 14}],
        "{user_id}",
    ),
    "pulsa-telkomsel": (
        [{"name": "user_id", "label": "Nomor HP", "kind": "digits", "min": 10, "max": 14}],
        "{user_id}",
    ),
    "valorant": (
        [{"name": "user_id", "label": "Riot ID", "kind": "text", "min": 3, "max": 40}],
        "{user_id}",
    ),
}

DEFAULT_FIELDS = [USER_ID]
DEFAULT_TEMPLATE = "{user_id}"


def preset_for(product_code: str) -> tuple[list[dict], str]:
    fields, template = PRESETS.get(product_code, (DEFAULT_FIELDS, DEFAULT_TEMPLATE))
    return [dict(field) for field in fields], template


@dataclass(frozen=True)
class FieldError:
    name: str
    message: str


def template_names(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def validate_spec(fields: list[dict], template: str) -> list[str]:
    """Problems with an admin-entered spec, as messages (empty when it is usable)."""
    problems = []
    if not isinstance(fields, list) or not fields:
        return ["Give at least one account field."]
    names = []
    for field in fields:
        if not isinstance(field, dict) or not re.fullmatch(r"[a-z_]{1,30}", str(field.get("name"))):
            problems.append("Each field needs a name of lowercase letters and underscores.")
            continue
        if field.get("kind", "text") not in {"digits", "text", "choice"}:
            problems.append(f"Field {field['name']}: kind must be digits, text or choice.")
        if field.get("kind") == "choice" and not field.get("choices"):
            problems.append(f"Field {field['name']}: a choice field needs choices.")
        names.append(field["name"])
    try:
        used = template_names(template)
    except ValueError:
        return [*problems, "The data template has unbalanced braces."]
    if missing := used - set(names):
        problems.append(f"The data template uses unknown fields: {', '.join(sorted(missing))}.")
    if unused := set(names) - used:
        problems.append(f"The data template leaves out fields: {', '.join(sorted(unused))}.")
    return problems


def clean_values(
    fields: list[dict], raw: Mapping[str, str]
) -> tuple[dict[str, str], list[FieldError]]:
    """Validate what a customer typed; returns cleaned values and one error per bad field."""
    values: dict[str, str] = {}
    errors: list[FieldError] = []
    for field in fields:
        name, label, kind = field["name"], field.get("label", field["name"]), field.get("kind")
        value = str(raw.get(name) or "").strip()
        if problem := _problem(field, label, kind, value):
            errors.append(FieldError(name, problem))
        else:
            values[name] = value
    return values, errors


def _problem(field: dict, label: str, kind: str | None, value: str) -> str | None:
    if not value:
        return _("%(label)s is required.") % {"label": label}
    if kind == "choice":
        return (
            None
            if value in field["choices"]
            else _("Choose a %(label)s from the list.") % {"label": label}
        )
    if kind == "digits" and not re.fullmatch(r"[0-9]+", value):
        return _("%(label)s may contain digits only.") % {"label": label}
    if kind == "text" and not re.fullmatch(r"[\w #.\-]+", value):
        return _("%(label)s contains characters that are not allowed.") % {"label": label}
    low, high = field.get("min", 1), field.get("max", 40)
    if not low <= len(value) <= high:
        return _("%(label)s must be %(low)s to %(high)s characters long.") % {
            "label": label,
            "low": low,
            "high": high,
        }
    return None


def build_data(template: str, values: dict[str, str]) -> str:
    """Join the cleaned fields into the single `data` string isipay expects."""
    return template.format(**values)
