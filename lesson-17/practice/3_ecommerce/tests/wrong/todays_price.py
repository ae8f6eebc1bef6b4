"""revenue_by_category multiplies by the product's price today, not the price paid: a
price change rewrites past revenue."""

from sqlalchemy import func, select

from shop_models import Category, OrderLine, Product

CAUGHT_BY = "test_revenue"


def revenue_by_category(session):
    query = (
        select(Category.name, func.sum(OrderLine.quantity * Product.price))
        .join(Product, Product.category_id == Category.id)
        .join(OrderLine, OrderLine.product_id == Product.id)
        .group_by(Category.name)
    )
    return dict(session.execute(query).all())
