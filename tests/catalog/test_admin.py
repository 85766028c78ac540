from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse

from backoffice.models import HistoricalMarkupRule
from catalog import services
from catalog.models import MarkupRule, Product, SyncRun, Variant

from ..backoffice.roles import MANAGER, SUPPORT, logged_in, staff
from ..factories import MarkupRuleFactory, ProductFactory, SyncRunFactory, VariantFactory

pytestmark = pytest.mark.django_db


def test_saving_a_product_rule_in_admin_reprices_its_variants_at_once(admin_client):
    product = ProductFactory()
    variant = VariantFactory(product=product, cost_price=10_000, sell_price=10_800)
    other = VariantFactory(cost_price=10_000, sell_price=10_800)
    response = admin_client.post(
        reverse("admin:catalog_markuprule_add"),
        {
            "product": product.pk,
            "percent": "25",
            "fixed": "0",
            "round_to": "500",
            "min_margin": "100",
        },
    )
    assert response.status_code == 302
    assert Variant.objects.get(pk=variant.pk).sell_price == 12_500
    assert Variant.objects.get(pk=other.pk).sell_price == 10_800


def test_a_second_global_rule_is_refused_with_a_message(admin_client):
    assert MarkupRule.objects.filter(product=None, variant=None).count() == 1  # from migration
    response = admin_client.post(
        reverse("admin:catalog_markuprule_add"),
        {"percent": "5", "fixed": "0", "round_to": "100", "min_margin": "100"},
    )
    assert response.status_code == 200
    assert b"already a global markup rule" in response.content


def test_variant_list_shows_cost_sell_and_margin(admin_client):
    VariantFactory(name="86 Diamonds", cost_price=20_000, sell_price=21_600)
    page = admin_client.get(reverse("admin:catalog_variant_changelist")).content.decode()
    assert "Rp 20.000" in page and "Rp 21.600" in page and "Rp 1.600 (8.0%)" in page


# --- markup management: preview, bulk actions, manual prices, history, roles ----------------


@pytest.fixture
def manager(db):
    return staff("manager", MANAGER)


@pytest.fixture
def manager_client(manager):
    return logged_in(manager)


@pytest.fixture
def support_client(db):
    return logged_in(staff("support", SUPPORT))


@pytest.fixture
def groupless_client(db):
    return logged_in(staff("groupless"))


def prices(ids) -> dict[int, int]:
    return dict(Variant.objects.filter(pk__in=ids).values_list("pk", "sell_price"))


@pytest.fixture
def game():
    product = ProductFactory(name="Mobile Legends")
    variants = [
        VariantFactory(product=product, cost_price=cost, sell_price=cost + 1_000)
        for cost in (1_234, 14_350, 99_999)
    ]
    services.reprice()  # prices as the global rule gives them
    return product, [v.pk for v in variants]


RULE = {"percent": "13", "fixed": "250", "round_to": "500", "min_margin": "100"}


def test_preview_shows_the_prices_saving_applies(manager_client, game):
    product, ids = game
    before = prices(ids)
    url = reverse("admin:catalog_markuprule_add")
    page = manager_client.post(url, {"product": product.pk, **RULE, "_preview": "Preview"})
    assert page.status_code == 200  # shown again, not saved
    preview = {row.variant_id: row.new for row in page.context["preview"]["rows"]}
    assert set(preview) == set(ids)
    assert prices(ids) == before and not MarkupRule.objects.filter(product=product).exists()
    assert "Please correct" not in page.content.decode()
    assert "Rp 2.000" in page.content.decode()  # 1.234 + 13% + 250 → 1.645, up to Rp 500

    response = manager_client.post(url, {"product": product.pk, **RULE})
    assert response.status_code == 302
    assert prices(ids) == preview


@pytest.mark.usefixtures("game")
def test_preview_of_a_changed_global_rule_equals_the_saved_prices(manager_client):
    VariantFactory(cost_price=50_000, sell_price=60_000)  # another game, no rule of its own
    rule = MarkupRule.objects.get(product=None, variant=None)
    url = reverse("admin:catalog_markuprule_change", args=[rule.pk])
    page = manager_client.post(url, {**RULE, "percent": "4.5", "_preview": "1"})
    preview = {row.variant_id: row.new for row in page.context["preview"]["rows"]}
    assert len(preview) == Variant.objects.count()
    manager_client.post(url, {**RULE, "percent": "4.5"})
    assert prices(preview) == preview


def test_a_rule_under_a_more_specific_one_previews_unchanged_prices(manager_client, game):
    product, ids = game
    MarkupRuleFactory(variant_id=ids[0], percent=Decimal("50"))
    services.reprice()
    url = reverse("admin:catalog_markuprule_add")
    page = manager_client.post(url, {"product": product.pk, **RULE, "_preview": "1"})
    rows = {row.variant_id: row for row in page.context["preview"]["rows"]}
    assert not rows[ids[0]].changed  # its own rule wins


def test_an_invalid_rule_is_not_previewed(manager_client, game):
    product, _ = game
    url = reverse("admin:catalog_markuprule_add")
    page = manager_client.post(
        url, {"product": product.pk, **RULE, "min_margin": "0", "_preview": "1"}
    )
    assert page.status_code == 200 and page.context.get("preview") is None
    assert page.context["adminform"].form.errors["min_margin"]


def test_markup_changes_are_kept_with_who_and_when(manager_client, manager, game):
    product, _ = game
    url = reverse("admin:catalog_markuprule_add")
    manager_client.post(url, {"product": product.pk, **RULE})
    rule = MarkupRule.objects.get(product=product)
    manager_client.post(
        reverse("admin:catalog_markuprule_change", args=[rule.pk]), {**RULE, "percent": "20"}
    )
    history = HistoricalMarkupRule.objects.filter(id=rule.pk).order_by("history_id")
    assert [(h.history_type, h.percent, h.history_user) for h in history] == [
        ("+", Decimal("13.00"), manager),
        ("~", Decimal("20.00"), manager),
    ]
    page = manager_client.get(reverse("admin:catalog_markuprule_history", args=[rule.pk]))
    assert page.status_code == 200 and "manager" in page.content.decode()
    changes = manager_client.get(reverse("admin:backoffice_historicalmarkuprule_changelist"))
    assert changes.status_code == 200 and "manager" in changes.content.decode()
    listing = manager_client.get(reverse("admin:catalog_markuprule_changelist"))
    assert "manager" in listing.content.decode()  # "last changed by"


def test_a_deleted_rule_is_in_the_history_and_its_prices_fall_back(manager_client, game):
    product, ids = game
    before = prices(ids)
    rule = MarkupRuleFactory(product=product, percent=Decimal("40"))
    services.save_markup_rule(rule=rule)
    manager_client.post(reverse("admin:catalog_markuprule_delete", args=[rule.pk]), {"post": "yes"})
    assert prices(ids) == before
    assert HistoricalMarkupRule.objects.filter(id=rule.pk, history_type="-").exists()


# --- bulk actions ----------------------------------------------------------------------------


def test_apply_a_markup_to_selected_variants_previews_then_applies(manager_client, game):
    _, ids = game
    chosen = ids[:2]
    url = reverse("admin:catalog_variant_changelist")
    action = {"action": "apply_markup", "_selected_action": chosen}
    page = manager_client.post(url, action)
    assert page.status_code == 200 and "Pratinjau harga" in page.content.decode()
    page = manager_client.post(url, {**action, **RULE, "_preview": "1"})
    preview = {row.variant_id: row.new for row in page.context["preview"]["rows"]}
    assert set(preview) == set(chosen)
    assert not MarkupRule.objects.filter(variant__in=chosen).exists()

    response = manager_client.post(url, {**action, **RULE, "_apply": "1"})
    assert response.status_code == 302
    assert prices(chosen) == preview
    rules = MarkupRule.objects.filter(variant__in=chosen)
    assert {(r.percent, r.fixed, r.round_to) for r in rules} == {(Decimal("13"), 250, 500)}
    assert (
        HistoricalMarkupRule.objects.filter(
            variant__in=chosen, history_user__username="manager"
        ).count()
        == 2
    )


def test_apply_a_markup_to_a_selected_game(manager_client, game):
    product, ids = game
    url = reverse("admin:catalog_product_changelist")
    action = {"action": "apply_markup", "_selected_action": [product.pk]}
    page = manager_client.post(url, {**action, **RULE, "_preview": "1"})
    preview = {row.variant_id: row.new for row in page.context["preview"]["rows"]}
    manager_client.post(url, {**action, **RULE, "_apply": "1"})
    assert MarkupRule.objects.get(product=product).percent == Decimal("13")
    assert prices(ids) == preview


def test_take_off_and_put_on_sale(manager_client, game):
    _, ids = game
    url = reverse("admin:catalog_variant_changelist")
    manager_client.post(url, {"action": "take_off_sale", "_selected_action": ids[:2]})
    assert list(
        Variant.objects.filter(pk__in=ids)
        .order_by("cost_price")
        .values_list("is_listed", flat=True)
    ) == [False, False, True]
    manager_client.post(url, {"action": "put_on_sale", "_selected_action": ids})
    assert Variant.objects.filter(pk__in=ids, is_listed=True).count() == 3


def test_games_go_off_and_on_sale(manager_client, game):
    product, _ = game
    url = reverse("admin:catalog_product_changelist")
    manager_client.post(url, {"action": "take_off_sale", "_selected_action": [product.pk]})
    assert not Product.objects.get(pk=product.pk).is_listed
    manager_client.post(url, {"action": "put_on_sale", "_selected_action": [product.pk]})
    assert Product.objects.get(pk=product.pk).is_listed


# --- a price set by hand ---------------------------------------------------------------------


@pytest.mark.parametrize("price", [14_350, 14_000])
def test_a_price_at_or_below_cost_is_refused_with_a_message(manager_client, game, price):
    _, ids = game
    variant = Variant.objects.get(pk=ids[1])  # cost Rp 14.350
    before = variant.sell_price
    url = reverse("admin:catalog_variant_change", args=[variant.pk])
    page = manager_client.post(url, {"is_listed": "on", "new_sell_price": str(price)})
    assert page.status_code == 200
    assert "is not above the cost of Rp 14.350" in page.content.decode()
    assert Variant.objects.get(pk=variant.pk).sell_price == before
    assert not MarkupRule.objects.filter(variant=variant).exists()


def test_a_price_above_cost_is_set_exactly_and_follows_the_cost(manager_client, game):
    _, ids = game
    variant = Variant.objects.get(pk=ids[1])
    url = reverse("admin:catalog_variant_change", args=[variant.pk])
    response = manager_client.post(url, {"is_listed": "on", "new_sell_price": "15001"})
    assert response.status_code == 302
    assert Variant.objects.get(pk=variant.pk).sell_price == 15_001
    rule = MarkupRule.objects.get(variant=variant)
    assert (rule.percent, rule.fixed, rule.round_to) == (0, 651, 1)


def test_the_service_refuses_a_price_at_cost(game):
    _, ids = game
    variant = Variant.objects.get(pk=ids[0])
    with pytest.raises(services.PriceNotAboveCost):
        services.set_variant_price(variant=variant, price=variant.cost_price)


def test_the_database_refuses_a_price_at_cost(game):
    _, ids = game
    with pytest.raises(IntegrityError), transaction.atomic():
        Variant.objects.filter(pk=ids[0]).update(sell_price=1_234)


# --- roles -----------------------------------------------------------------------------------


def test_support_sees_no_markup_and_no_prices(support_client, game):
    product, ids = game
    for url in (
        reverse("admin:catalog_markuprule_changelist"),
        reverse("admin:catalog_markuprule_add"),
        reverse("admin:catalog_variant_changelist"),
        reverse("admin:catalog_variant_change", args=[ids[0]]),
        reverse("admin:backoffice_historicalmarkuprule_changelist"),
    ):
        assert support_client.get(url).status_code == 403, url
    response = support_client.post(
        reverse("admin:catalog_markuprule_add"), {"product": product.pk, **RULE, "_preview": "1"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["support_client", "groupless_client", "client"])
def test_bulk_actions_are_refused_to_others(who, request, game):
    product, ids = game
    before = prices(ids)
    client = request.getfixturevalue(who)
    url = reverse("admin:catalog_variant_changelist")
    response = client.post(
        url, {"action": "apply_markup", "_selected_action": ids, **RULE, "_apply": "1"}
    )
    assert response.status_code in (302, 403)
    client.post(url, {"action": "take_off_sale", "_selected_action": ids})
    client.post(
        reverse("admin:catalog_product_changelist"),
        {"action": "take_off_sale", "_selected_action": [product.pk]},
    )
    assert prices(ids) == before
    assert not MarkupRule.objects.filter(Q(variant__in=ids) | Q(product=product)).exists()
    assert Variant.objects.filter(pk__in=ids, is_listed=True).count() == 3
    assert Product.objects.get(pk=product.pk).is_listed


def test_a_manager_may_edit_markup_and_products(manager_client, game):
    product, _ = game
    assert manager_client.get(reverse("admin:catalog_markuprule_add")).status_code == 200
    page = manager_client.get(reverse("admin:catalog_product_change", args=[product.pk]))
    assert page.status_code == 200 and "give this game its own rule" in page.content.decode()


def test_editing_a_product_writes_only_the_shop_fields(manager_client, game):
    product, _ = game
    url = reverse("admin:catalog_product_change", args=[product.pk])
    form = manager_client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(
        display_name="MLBB",
        sort_order="5",
        is_listed="on",
        slug=product.slug,
        account_fields='[{"name": "user_id", "label": "User ID", "kind": "digits"}]',
        data_template="{user_id}",
    )
    data.pop("icon")
    Product.objects.filter(pk=product.pk).update(name="Renamed by the sync meanwhile")
    response = manager_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    saved = Product.objects.get(pk=product.pk)
    assert (saved.display_name, saved.sort_order) == ("MLBB", 5)
    assert saved.name == "Renamed by the sync meanwhile"  # the sync's write survived


# --- list pages keep a constant number of queries ----------------------------------------------


def test_catalog_lists_do_not_grow_with_rows(manager_client, count_queries):
    def add(n):
        for _ in range(n):
            variant = VariantFactory()
            MarkupRuleFactory(variant=variant)
            MarkupRuleFactory(product=variant.product)
            SyncRunFactory(status=SyncRun.Status.SUCCEEDED, counts={"products": {"created": 1}})

    urls = [
        reverse(f"admin:catalog_{name}_changelist")
        for name in ("variant", "product", "markuprule", "syncrun")
    ]
    add(10)
    few = [count_queries(manager_client, url) for url in urls]
    add(190)
    assert [count_queries(manager_client, url) for url in urls] == few
