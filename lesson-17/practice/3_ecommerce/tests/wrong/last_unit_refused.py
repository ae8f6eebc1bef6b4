"""place_order refuses an order for exactly the units left (stock <= quantity, where it
should be stock < quantity): the last units can never be sold."""

from sqlalchemy import select

from shop_models import Order, OrderLine, OutOfStock, Product

CAUGHT_BY = "test_generated_orders_match_the_reference"


def place_order(session, customer, items):
    with session.begin():
        products = {
            p.id: p
            for p in session.scalars(select(Product).where(Product.id.in_(items)).with_for_update())
        }
        order = Order(customer=customer)
        for product_id, quantity in items.items():
            product = products[product_id]
            if product.stock <= quantity:
                raise OutOfStock(f"{product.name}: {product.stock} left, {quantity} ordered")
            product.stock -= quantity
            order.lines.append(
                OrderLine(product=product, quantity=quantity, unit_price=product.price)
            )
        session.add(order)
    return order
