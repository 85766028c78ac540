from celery import shared_task


@shared_task(name="promotions.recompute_tiers", ignore_result=True, acks_late=True)
def recompute_tiers() -> int:
    """Beat runs this every TIER_RECOMPUTE_INTERVAL seconds; running it twice is harmless."""
    from . import services

    return services.recompute_tiers()
