"""The demo shows banners, icons, an announcement and FAQ content; the sandbox can slow one
game down; the new admin pages read in Indonesian."""

import time

import pytest
import requests
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from catalog.models import Product
from content.models import Announcement, Banner, FaqEntry, Page
from gamestatus.models import GameStatus
from isipay.sandbox import SandboxServer
from support.models import OrderNote

from ..conftest import SANDBOX_TOKEN

pytestmark = pytest.mark.django_db


def test_demo_content_fills_the_home_page_once(client, synced):
    call_command("load_demo_content")
    call_command("load_demo_content")  # a restart of the demo adds nothing twice
    assert Banner.objects.count() == 3 and Announcement.objects.count() == 1
    assert FaqEntry.objects.count() == 5
    assert set(Page.objects.values_list("slug", flat=True)) == {
        "faq",
        "terms",
        "privacy",
        "contact",
    }
    assert Product.objects.exclude(icon="").count() >= 8
    ml = Product.objects.get(code="mobile-legends")
    assert ml.pin_order == 1 and ml.id_help_text and ml.id_help_image
    page = client.get("/").content.decode()
    assert 'class="banners"' in page and "daftar harga" in page.lower()
    assert (
        ">Voucher</h2>" in page
        and ">Streaming</h2>" in page
        and ">E-wallet &amp; pulsa</h2>" in page
    )
    game = client.get(reverse("catalog:game", args=["mobile-legends"])).content.decode()
    assert "Di mana ID saya?" in game and "/media/games/help/mobile-legends-id" in game


def post_order(server, code, reference):
    return requests.post(
        f"{server.url}/api/v1/order",
        json={"code": code, "referenceNumber": reference, "data": "123456789"},
        headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"},
        timeout=5,
    ).json()


def test_sandbox_slows_one_game_down_and_leaves_the_others():
    with SandboxServer(token=SANDBOX_TOKEN, pending_seconds=0.05, complete_seconds=0.1) as server:
        server.set_delivery_seconds("free-fire", 30)
        post_order(server, "FF_5", "R1")
        post_order(server, "MLBB_ID_5", "R2")
        time.sleep(0.2)
        assert server.status_of("R1") == "Processing"
        assert server.status_of("R2") == "Success"
        server.set_delivery_seconds("free-fire", None)
        post_order(server, "FF_12", "R3")
        time.sleep(0.2)
        assert server.status_of("R3") == "Success"
        with pytest.raises(KeyError):
            server.set_delivery_seconds("no-such-game", 5)


# Words that are the same in both languages.
SAME_IN_INDONESIAN = {"banner", "banners", "game", "FAQ", "Normal", "Streaming"}


def labels(model) -> list[str]:
    names = [model._meta.verbose_name, model._meta.verbose_name_plural]
    names += [
        field.verbose_name
        for field in model._meta.get_fields()
        if getattr(field, "verbose_name", None) and field.name != "id"
    ]
    return [str(name) for name in names]


@pytest.mark.parametrize("model", [Banner, Announcement, Page, FaqEntry, GameStatus, OrderNote])
def test_new_admin_labels_read_in_indonesian(model):
    with translation.override("en"):
        english = labels(model)
    with translation.override("id"):
        indonesian = labels(model)
    untranslated = [
        en for en, id_ in zip(english, indonesian, strict=True)
        if en == id_ and en not in SAME_IN_INDONESIAN
    ]  # fmt: skip
    assert untranslated == []


def test_new_admin_pages_open(admin_client):
    for name in ("content_banner", "content_announcement", "content_page", "content_faqentry",
                 "gamestatus_gamestatus", "support_ordernote"):  # fmt: skip
        assert admin_client.get(reverse(f"admin:{name}_changelist")).status_code == 200
        if name not in ("gamestatus_gamestatus",):
            assert admin_client.get(reverse(f"admin:{name}_add")).status_code == 200
