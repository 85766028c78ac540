from celery import shared_task


@shared_task(name="gamestatus.refresh_game_status", ignore_result=True, acks_late=True)
def refresh_game_status() -> int:
    """Beat runs this every GAME_STATUS_INTERVAL seconds; running it twice is harmless."""
    from . import services

    return services.refresh()
