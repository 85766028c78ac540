"""Who may see money figures: cost, profit, margin, markup and the like.

The back office's "view money reports" permission is the money permission: the Shop manager
role has it, Support does not. Admin pages and exports that show an order's or an item's
figures check it here, so a role never sees in a list what it may not see in the reports.
"""

import re

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

MONEY_PERMISSION = "backoffice.view_reports"

# A field, column or admin display whose name says it is a money figure of the shop's own:
# cost, placed_cost, profit, profit_display, margin, margin_display, markup, markup_info, ...
_MONEY_NAME = re.compile(r"(^|_)(cost|profit|margin|markup)(_|$)")


def sees_money(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.has_perm(MONEY_PERMISSION)


def is_money(name: str) -> bool:
    return bool(_MONEY_NAME.search(name))


def without_money(names, user) -> list:
    """`names` as they are for a user who sees money; without the money ones otherwise."""
    return list(names) if sees_money(user) else [name for name in names if not is_money(name)]
