"""revenue_by_category turns each total into a float: 3 x 19.99 + 35.50 comes back as
a binary approximation, not the exact 95.47 that money needs."""

from sqlalchemy import func, select

from shop_models import Category, OrderLine, Product

CAUGHT_BY = "test_revenue"


def revenue_by_category(session):
    query = (
        select(Category.name, func.sum(OrderLine.quantity * OrderLine.unit_price))
        .join(Product, Product.category_id == Category.id)
        .join(OrderLine, OrderLine.product_id == Product.id)
        .group_by(Category.name)
    )
    return {name: float(total) for name, total in session.execute(query)}
