"""revenue_by_category adds up the unit prices and forgets the quantities: right only
while every line is for one unit."""

from sqlalchemy import func, select

from shop_models import Category, OrderLine, Product

CAUGHT_BY = "test_generated_orders_match_the_reference"


def revenue_by_category(session):
    query = (
        select(Category.name, func.sum(OrderLine.unit_price))
        .join(Product, Product.category_id == Category.id)
        .join(OrderLine, OrderLine.product_id == Product.id)
        .group_by(Category.name)
    )
    return dict(session.execute(query).all())
