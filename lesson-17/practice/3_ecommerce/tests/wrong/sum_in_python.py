"""revenue_by_category fetches every order line in one SELECT and adds up in Python: one
statement, but every line travels, where the database would send one row per category."""

from collections import defaultdict

from sqlalchemy import select

from shop_models import Category, OrderLine, Product

CAUGHT_BY = "test_revenue_in_the_database"


def revenue_by_category(session):
    query = (
        select(Category.name, OrderLine.quantity, OrderLine.unit_price)
        .join(Product, Product.category_id == Category.id)
        .join(OrderLine, OrderLine.product_id == Product.id)
    )
    totals = defaultdict(int)
    for name, quantity, unit_price in session.execute(query):
        totals[name] += quantity * unit_price
    return dict(totals)
