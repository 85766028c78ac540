from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from promotions.models import CustomerTier, FlashSale, PromoCode


def test_the_demo_has_gerai10_a_running_flash_sale_and_a_member_customer(client, synced):
    out = StringIO()
    call_command("load_demo_promotions", stdout=out)
    call_command("load_demo_promotions", stdout=out)  # a restart of the demo adds nothing twice
    printed = out.getvalue()
    assert "Member customer created: member@gerai.local / " in printed
    assert PromoCode.objects.filter(code="GERAI10").count() == 1
    assert FlashSale.objects.count() == 1 and FlashSale.objects.get().items.exists()
    assert CustomerTier.objects.get().tier.name == "Member"
    home = client.get(reverse("catalog:home")).content.decode()
    assert "flash-sale" in home and "sisa 20" in home
