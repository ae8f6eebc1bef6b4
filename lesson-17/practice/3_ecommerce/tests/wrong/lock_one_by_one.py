"""place_order locks each product as it comes to it, in the buyer's order of items: two
orders of the same products listed in opposite orders each hold one row and wait for the
other's (a deadlock), and one of them fails."""

from sqlalchemy import select

from shop_models import Order, OrderLine, OutOfStock, Product

CAUGHT_BY = "test_orders_in_opposite_item_order_at_once"


def place_order(session, customer, items):
    with session.begin():
        order = Order(customer=customer)
        for product_id, quantity in items.items():
            product = session.scalar(
                select(Product).where(Product.id == product_id).with_for_update()
            )
            if product.stock < quantity:
                raise OutOfStock(f"{product.name}: {product.stock} left, {quantity} ordered")
            product.stock -= quantity
            order.lines.append(
                OrderLine(product=product, quantity=quantity, unit_price=product.price)
            )
        session.add(order)
    return order
