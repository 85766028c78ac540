"""The order state machine is the table Order.TRANSITIONS: every move it declares can be
made, every other is refused before the database is touched, and the README shows it."""

from io import StringIO
from itertools import product
from pathlib import Path

import pytest
from django.core.management import call_command

from orders import services
from orders.diagram import mermaid
from orders.models import TRANSITIONS, IllegalTransition, Order, OrderEvent
from tests.factories import OrderFactory

S = Order.Status
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def order(db):
    return OrderFactory()


def test_the_table_names_every_status_once():
    assert set(TRANSITIONS) == set(S)
    assert all(set(targets) <= set(S) for targets in TRANSITIONS.values())


@pytest.mark.parametrize("from_, to", list(product(S, S)), ids=lambda s: str(s.value))
def test_every_declared_move_is_made_and_every_other_refused(order, from_, to):
    Order.objects.filter(pk=order.pk).update(status=from_)
    events = OrderEvent.objects.count()
    if to in TRANSITIONS[from_]:
        assert services._transition(order.pk, from_=from_, to=to, actor="test") is True
        assert Order.objects.get(pk=order.pk).status == to
        assert OrderEvent.objects.count() == events + 1
    else:
        with pytest.raises(IllegalTransition):
            services._transition(order.pk, from_=from_, to=to, actor="test")
        assert Order.objects.get(pk=order.pk).status == from_
        assert OrderEvent.objects.count() == events


def test_every_status_has_a_way_to_a_final_status_and_final_ones_have_none():
    for final in Order.FINAL:
        assert TRANSITIONS[final] == ()
    for status in S:
        reached, frontier = {status}, [status]
        while frontier:
            for to in TRANSITIONS[frontier.pop()]:
                if to not in reached:
                    reached.add(to)
                    frontier.append(to)
        assert reached & set(Order.FINAL), f"{status} never ends"


def test_a_refused_move_touches_no_database(db, django_assert_num_queries):
    with django_assert_num_queries(0), pytest.raises(IllegalTransition, match="success to paid"):
        services._transition(1, from_=S.SUCCESS, to=S.PAID, actor="test")


def test_the_readme_shows_the_diagram_of_the_table():
    out = StringIO()
    call_command("order_diagram", stdout=out)
    assert out.getvalue() == mermaid()
    assert f"```mermaid\n{mermaid()}```\n" in README.read_text()
    for from_, targets in TRANSITIONS.items():
        for to in targets:
            assert f"    {from_} --> {to}\n" in mermaid()
