"""Exercise 3 tests, on MySQL; the state is read back with plain SQL."""

from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

import shop_models as models


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


def test_an_order_lowers_stock_and_records_its_lines(exercise, engine):
    """place_order saves the order and its lines and lowers the stock"""
    with Session(engine) as session:
        order = exercise.place_order(session, "ann", {1: 2, 3: 1})
        assert order.id is not None, "place_order should return the saved Order"
    assert state(engine) == ({1: 3, 2: 2, 3: 9}, 1, 2)


def test_too_little_stock_refuses_the_order_and_changes_nothing(exercise, engine):
    """an order with too little stock raises OutOfStock and leaves nothing half-done"""
    with Session(engine) as session:
        with pytest.raises(models.OutOfStock):
            exercise.place_order(session, "bob", {1: 1, 2: 3})  # only 2 of product 2
    assert state(engine) == ({1: 5, 2: 2, 3: 10}, 0, 0), "no stock change, no order, no line"


def test_revenue_per_category(exercise, engine):
    """revenue_by_category adds up what each category sold, at the prices paid"""
    with Session(engine) as session:
        exercise.place_order(session, "ann", {1: 2, 3: 1})
        exercise.place_order(session, "bob", {2: 1})
    with engine.begin() as conn:  # a later price change does not rewrite history
        conn.execute(text("UPDATE shop_product SET price = 99 WHERE id = 1"))
    with Session(engine) as session:
        revenue = exercise.revenue_by_category(session)
    assert revenue == {"books": Decimal("75.50"), "games": Decimal("15.00")}


def test_revenue_is_one_query(exercise, engine, count_statements):
    """revenue_by_category is computed by the database in one query"""
    with Session(engine) as session:
        exercise.place_order(session, "ann", {1: 1, 3: 1})
        sent = count_statements(engine)
        exercise.revenue_by_category(session)
    assert len(sent) == 1, f"revenue_by_category sent {len(sent)} statements"
