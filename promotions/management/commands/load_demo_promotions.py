import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from catalog import selectors as catalog
from promotions import services
from promotions.models import FlashSale, FlashSaleItem, PromoCode, Tier
from storefront.templatetags.money import rupiah

MEMBER_EMAIL = "member@gerai.local"
SALE_HOURS = 24


class Command(BaseCommand):
    help = (
        "Demo promotions, once each: the code GERAI10, a flash sale running now (a new one "
        "when the last has ended) and a customer at the Member tier (login printed once)."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        code, _made = PromoCode.objects.get_or_create(
            code="GERAI10",
            defaults={
                "kind": PromoCode.Kind.PERCENT,
                "value": 10,
                "max_discount": 10_000,
                "quota": 1000,
                "per_customer": 3,
                "valid_from": now,
                "valid_to": now + timedelta(days=365),
            },
        )
        self.stdout.write(f"Promo code {code.code}: 10 % off, up to {rupiah(10_000)}.")
        self._flash_sale(now)
        self._member()

    def _flash_sale(self, now) -> None:
        if FlashSale.objects.filter(starts_at__lte=now, ends_at__gt=now).exists():
            self.stdout.write("A flash sale is running.")
            return
        items = []
        for product in list(catalog.products_for_sale())[:4]:
            variants = list(catalog.variants_for_sale(product))
            if variants:
                items.append(variants[0])
        if not items:
            self.stdout.write("No items for sale yet: no flash sale.")
            return
        sale = FlashSale.objects.create(
            name="Flash sale", starts_at=now, ends_at=now + timedelta(hours=SALE_HOURS)
        )
        for variant in items:
            # Half the markup off, never below cost + 200 (the default rule's minimum margin).
            price = max(variant.cost_price + 200, (variant.cost_price + variant.sell_price) // 2)
            price = -(-price // 100) * 100
            if price < variant.sell_price:
                FlashSaleItem.objects.create(
                    sale=sale, variant=variant, sale_price=price, quantity=20
                )
        self.stdout.write(f"Flash sale running until {timezone.localtime(sale.ends_at):%H:%M}.")

    def _member(self) -> None:
        User = get_user_model()
        member_tier = Tier.objects.filter(name="Member").first() or Tier.objects.last()
        user = User.objects.filter(email__iexact=MEMBER_EMAIL).first()
        if user is not None:
            self.stdout.write(
                f"Member customer exists: {MEMBER_EMAIL} (its password was printed when it was "
                "created; reset it at /accounts/password/reset/)."
            )
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(
            username=MEMBER_EMAIL.split("@")[0], email=MEMBER_EMAIL, password=password
        )
        EmailAddress.objects.create(user=user, email=MEMBER_EMAIL, verified=True, primary=True)
        if member_tier is not None:
            services.set_tier(user=user, tier=member_tier)
        self.stdout.write(
            self.style.SUCCESS(
                f"Member customer created: {MEMBER_EMAIL} / {password}  (shown only once), "
                f"tier {member_tier}"
            )
        )
