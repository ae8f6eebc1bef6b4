"""Exercise 3, reference solution. Try the starter first: this is one way, not the way."""

from sqlalchemy import func, select

from shop_models import (
    Category,
    Order,
    OrderLine,
    OutOfStock,
    Product,
)


def place_order(session, customer, items):
    with session.begin():  # one transaction: committed at the end, rolled back on error
        # Lock the rows we change, so two orders cannot both take the last item.
        products = {
            p.id: p
            for p in session.scalars(select(Product).where(Product.id.in_(items)).with_for_update())
        }
        order = Order(customer=customer)
        for product_id, quantity in items.items():
            product = products[product_id]
            if product.stock < quantity:
                raise OutOfStock(f"{product.name}: {product.stock} left, {quantity} ordered")
            product.stock -= quantity
            order.lines.append(
                OrderLine(product=product, quantity=quantity, unit_price=product.price)
            )
        session.add(order)
    return order


def revenue_by_category(session):
    query = (
        select(Category.name, func.sum(OrderLine.quantity * OrderLine.unit_price))
        .join(Product, Product.category_id == Category.id)
        .join(OrderLine, OrderLine.product_id == Product.id)
        .group_by(Category.name)
    )
    return dict(session.execute(query).all())
