"""place_order reads the stock without locking the rows: two buyers at the same moment
both see the last units, and both get them."""

from sqlalchemy import select

from shop_models import Order, OrderLine, OutOfStock, Product

CAUGHT_BY = "test_last_units_at_once"


def place_order(session, customer, items):
    with session.begin():
        products = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(items)))}
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
