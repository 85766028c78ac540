"""The badge a game page shows, from the row the periodic task keeps (no query of its own:
catalog.selectors.product_for_sale fetches the row with the game)."""

from django.core.exceptions import ObjectDoesNotExist

from .models import GameStatus, State


def status_of(product) -> GameStatus | None:
    """The game's status row when its state is anything but normal, else None."""
    try:
        row = product.live_status
    except ObjectDoesNotExist:
        return None
    return row if row.state != State.OK else None
