"""Exercise 3 tests, on MySQL; the state is read back with plain SQL on another connection."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.orm import Session

import shop_models as models

UNCHANGED = ({1: 5, 2: 2, 3: 10}, 0, 0)  # stock per product, orders, order lines


@pytest.fixture
def engine(exercise, mysql_engine, tables):
    engine = mysql_engine
    tables(engine, models.Base.metadata)
    with Session(engine) as session:
        books = models.Category(name="books")
        games = models.Category(name="games")
        session.add_all(
            [
                models.Product(
                    id=1, name="SQL basics", price=Decimal("19.99"), stock=5, category=books
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


def state(engine):
    with engine.connect() as conn:
        stock = dict(conn.execute(text("SELECT id, stock FROM shop_product")).all())
        orders = conn.execute(text("SELECT COUNT(*) FROM shop_order")).scalar()
        lines = conn.execute(text("SELECT COUNT(*) FROM shop_order_line")).scalar()
    return stock, orders, lines


def read_lines(engine):
    """(customer, product id, quantity, unit price) of every order line, by line id."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT o.customer, l.product_id, l.quantity, l.unit_price FROM shop_order_line l"
                " JOIN shop_order o ON o.id = l.order_id ORDER BY l.id"
            )
        )
        return [tuple(row) for row in rows]


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
    lines = read_lines(engine)
    want = [("ann", 1, 2, Decimal("19.99")), ("ann", 3, 1, Decimal("15.00"))]
    assert lines == want, (
        f"each line should hold the quantity and the product's price of one unit: "
        f"(customer, product, quantity, unit price) expected {want}, got {lines}"
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


@pytest.mark.about("place_order")
def test_orders_in_opposite_item_order_at_once(exercise, engine, at_once):
    """two orders of two products, listed in opposite orders, at once: both are placed

    The rows are locked in one order, so that neither buyer waits for the other forever."""

    def buy(customer, items):
        with Session(engine) as session:
            exercise.place_order(session, customer, items)
            return "ordered"

    outcomes = at_once(
        engine,
        lambda sql: sql.startswith("SELECT") and "SHOP_PRODUCT" in sql,
        [lambda: buy("ann", {1: 1, 3: 1}), lambda: buy("bob", {3: 1, 1: 1})],
    )
    stock, orders, lines = state(engine)
    assert outcomes == ["ordered", "ordered"] and (stock[1], stock[3]) == (3, 8), (
        f"expected both orders placed; got {outcomes}, stock {stock}: locking the rows one "
        "at a time in the buyer's order lets two buyers each hold a row the other waits for "
        "(a deadlock): lock all of them in one statement (IN ... FOR UPDATE)"
    )


@pytest.mark.about("revenue_by_category")
def test_revenue(exercise, engine):
    """revenue_by_category adds up what each category sold, at the prices paid, as Decimals"""
    given_orders(engine, [{1: 2, 3: 1}, {2: 1}, {1: 1}])
    with engine.begin() as conn:  # a later price change does not rewrite history
        conn.execute(text("UPDATE shop_product SET price = 99 WHERE id = 1"))
    with Session(engine) as session:
        got = exercise.revenue_by_category(session)
    want = {"books": Decimal("95.47"), "games": Decimal("15.00")}
    assert got == want, f"expected {want}, got {got}"
    kinds = sorted({type(total).__name__ for total in got.values()})
    assert kinds == ["Decimal"], (
        f"the totals should be Decimals (money is exact), got {kinds}: 3 x 19.99 + 35.50 is "
        "95.47 exactly, and not as a float"
    )


@pytest.mark.about("revenue_by_category")
def test_revenue_in_the_database(exercise, engine, sql_sent):
    """revenue_by_category is computed by the database: one query, one row per category

    For 6 order lines as for 60."""
    for times in (1, 10):
        given_orders(engine, [{1: 1, 3: 1}, {1: 1, 2: 1}, {3: 2}, {1: 1}] * (times - 1 or 1))
        with Session(engine) as session:
            sent = sql_sent(engine)
            exercise.revenue_by_category(session)
            sent = list(sent)  # what it sent, and nothing the test reads after
        shown = [" ".join(sql.split()) for sql, _ in sent]
        lines = state(engine)[2]
        assert len(sent) == 1, (
            f"revenue_by_category sent {len(sent)} statements for {lines} lines: {shown[:3]}"
        )
        rows = sent[0][1]
        assert rows <= 2, (
            f"revenue_by_category fetched {rows} rows for 2 categories and {lines} order "
            f"lines: let the database add up (SUM ... GROUP BY); it sent {shown[0]}"
        )


# --- generated orders, compared with the reference solution ---

PRICES = ["19.99", "0.10", "35.50", "3.33", "7.05"]  # none exact in binary but 35.50
CATEGORIES = ["books", "games", "books", "toys", "games"]
ORDERS = st.lists(
    st.dictionaries(st.integers(1, 5), st.integers(1, 4), min_size=1, max_size=3),
    min_size=1,
    max_size=6,
)
STOCK = st.lists(st.integers(0, 6), min_size=5, max_size=5)


def play(module, engine, stock, orders):
    """Products 1-5 with this stock (category "music" sells nothing), then each order in
    its own session; what each gave, then the tables and the revenue report."""
    with engine.begin() as conn:
        for table in ("shop_order_line", "shop_order", "shop_product", "shop_category"):
            conn.execute(text(f"DELETE FROM {table}"))
    with Session(engine) as session:
        categories = {n: models.Category(name=n) for n in {*CATEGORIES, "music"}}
        for n, (price, category, units) in enumerate(
            zip(PRICES, CATEGORIES, stock, strict=True), 1
        ):
            session.add(
                models.Product(
                    id=n, name=f"P{n}", price=Decimal(price), stock=units,
                    category=categories[category],
                )
            )  # fmt: skip
        session.commit()
    seen = []
    for n, items in enumerate(orders):
        with Session(engine) as session:
            try:
                order = module.place_order(session, f"c{n}", items)
                lines = order.lines
                seen.append(sorted((x.product_id, x.quantity, x.unit_price) for x in lines))
            except NotImplementedError:
                raise
            except Exception as exc:  # what the caller sees
                seen.append(type(exc).__name__)
    with Session(engine) as session:
        report = module.revenue_by_category(session)
    report = sorted((name, type(total).__name__, total) for name, total in report.items())
    return seen, state(engine), read_lines(engine), report


REFERENCE = {}


@pytest.mark.about("place_order")
def test_generated_orders_match_the_reference(exercise, reference, engine, generated):
    """generated stock and orders give the reference solution's orders and report

    Some orders ask for more than there is, some for exactly what is left; prices like
    19.99. Compared: each order's lines or error, the stock, the lines, the report."""

    @generated(20)
    @given(stock=STOCK, orders=ORDERS)
    def same(stock, orders):
        key = repr((stock, orders))
        if key not in REFERENCE:
            REFERENCE[key] = play(reference, engine, stock, orders)
        want = REFERENCE[key]
        got = play(exercise, engine, stock, orders)
        setup = f"stock {dict(enumerate(stock, 1))}, prices {dict(enumerate(PRICES, 1))}"
        for n, (items, w, g) in enumerate(zip(orders, want[0], got[0], strict=True)):
            before = "; ".join(str(o) for o in orders[:n]) or "none"
            assert g == w, (
                f"with {setup}, after the orders {before}: place_order(c{n}, {items}) gave "
                f"{g}, expected {w} (lines as (product, quantity, unit price))"
            )
        for what, w, g in zip(
            ("stock, orders, lines", "order lines"), want[1:3], got[1:3], strict=True
        ):
            assert g == w, f"with {setup}, after {orders}: {what} {g}, expected {w}"
        assert got[3] == want[3], (
            f"with {setup}, after {orders}: revenue_by_category gave {got[3]}, expected "
            f"{want[3]} (as (category, type, total))"
        )

    same()
