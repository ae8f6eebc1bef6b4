"""Exercise 3 tests, on MySQL; the state is read back with plain SQL on another connection."""

from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

import shop_models as models

UNCHANGED = ({1: 5, 2: 2, 3: 10}, 0, 0)  # stock per product, orders, order lines


@pytest.fixture
def engine(exercise, mysql_url):
    engine = create_engine(mysql_url)
    models.Base.metadata.drop_all(engine)
    models.Base.metadata.create_all(engine)
    with Session(engine) as session:
        books = models.Category(name="books")
        games = models.Category(name="games")
        session.add_all(
            [
                models.Product(
                    id=1, name="SQL basics", price=Decimal("20.00"), stock=5, category=books
                ),
                models.Product(
                    id=2, name="ORM deep dive", price=Decimal("35.50"), stock=2, category=books
                ),
                models.Product(
                    id=3, name="Chess", price=Decimal("15.00"), stock=10, category=games
                ),
            ]
        )
        session.commit()
    yield engine
    engine.dispose()


def state(engine):
    with engine.connect() as conn:
        stock = dict(conn.execute(text("SELECT id, stock FROM shop_product")).all())
        orders = conn.execute(text("SELECT COUNT(*) FROM shop_order")).scalar()
        lines = conn.execute(text("SELECT COUNT(*) FROM shop_order_line")).scalar()
    return stock, orders, lines


def given_orders(engine, orders):
    """Orders saved without place_order: [{product id: quantity}], at today's prices."""
    with Session(engine) as session:
        for n, items in enumerate(orders):
            order = models.Order(customer=f"customer {n}")
            for product_id, quantity in items.items():
                product = session.get(models.Product, product_id)
                order.lines.append(
                    models.OrderLine(product=product, quantity=quantity, unit_price=product.price)
                )
            session.add(order)
        session.commit()


@pytest.mark.about("place_order")
def test_order(exercise, engine):
    """place_order saves the order and its lines and lowers the stock"""
    with Session(engine) as session:
        order = exercise.place_order(session, "ann", {1: 2, 3: 1})
        assert order is not None and order.id is not None, "place_order should return the Order"
    got = state(engine)
    assert got == ({1: 3, 2: 2, 3: 9}, 1, 2), (
        f"expected stock {{1: 3, 2: 2, 3: 9}}, 1 order, 2 lines, committed; another "
        f"connection sees stock {got[0]}, {got[1]} orders, {got[2]} lines"
    )


@pytest.mark.about("place_order")
def test_out_of_stock(exercise, engine):
    """too little stock raises OutOfStock and changes nothing, even if the session goes on"""
    with Session(engine) as session:
        with pytest.raises(models.OutOfStock):
            exercise.place_order(session, "bob", {1: 1, 2: 3})  # only 2 of product 2
        got = state(engine)
        assert got == UNCHANGED, f"after OutOfStock, another connection sees {got}"
        exercise.place_order(session, "bob", {3: 1})  # the same session, a good order
    got = state(engine)
    assert got == ({1: 5, 2: 2, 3: 9}, 1, 1), (
        "the refused order must leave nothing behind, even in a session that goes on: "
        f"after one refused and one good order, stock {got[0]}, {got[1]} orders, "
        f"{got[2]} lines (expected only the good one: {{1: 5, 2: 2, 3: 9}}, 1, 1)"
    )


@pytest.mark.about("place_order")
def test_last_units_at_once(exercise, engine, at_once):
    """two buyers of the last 2 units at the same moment: one order, one OutOfStock"""

    def buy(customer):
        with Session(engine) as session:
            exercise.place_order(session, customer, {2: 2})
            return "ordered"

    outcomes = at_once(  # both have read the stock before either writes
        engine,
        lambda sql: sql.startswith("SELECT") and "SHOP_PRODUCT" in sql,
        [lambda: buy("ann"), lambda: buy("bob")],
    )
    stock, orders, _ = state(engine)
    assert sorted(outcomes) == ["OutOfStock", "ordered"] and orders == 1 and stock[2] == 0, (
        f"expected one order and one OutOfStock; got {outcomes}, {orders} orders, "
        f"{2 * orders} units sold of the 2 there were: both buyers read the stock before "
        "either wrote it (lock the rows you will change: with_for_update())"
    )


@pytest.mark.about("revenue_by_category")
def test_revenue(exercise, engine):
    """revenue_by_category adds up what each category sold, at the prices paid"""
    given_orders(engine, [{1: 2, 3: 1}, {2: 1}])
    with engine.begin() as conn:  # a later price change does not rewrite history
        conn.execute(text("UPDATE shop_product SET price = 99 WHERE id = 1"))
    with Session(engine) as session:
        got = exercise.revenue_by_category(session)
    want = {"books": Decimal("75.50"), "games": Decimal("15.00")}
    assert got == want, f"expected {want}, got {got}"


@pytest.mark.about("revenue_by_category")
def test_revenue_in_the_database(exercise, engine, sql_sent):
    """revenue_by_category is computed by the database: one query, one row per category"""
    given_orders(engine, [{1: 1, 3: 1}, {1: 1, 2: 1}, {3: 2}, {1: 1}])  # 6 lines
    with Session(engine) as session:
        sent = sql_sent(engine)
        exercise.revenue_by_category(session)
    shown = [" ".join(sql.split()) for sql, _ in sent]
    assert len(sent) == 1, f"revenue_by_category sent {len(sent)} statements: {shown}"
    rows = sent[0][1]
    assert rows <= 2, (
        f"revenue_by_category fetched {rows} rows for 2 categories: let the database add "
        f"up (SUM ... GROUP BY); it sent {shown[0]}"
    )
