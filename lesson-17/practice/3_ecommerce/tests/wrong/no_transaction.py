"""place_order changes each product as it goes and raises OutOfStock halfway without
rolling back: the first line's change stays in the session, and the next commit saves it."""

from shop_models import Order, OrderLine, OutOfStock, Product

CAUGHT_BY = "test_out_of_stock"


def place_order(session, customer, items):
    order = Order(customer=customer)
    session.add(order)
    for product_id, quantity in items.items():
        product = session.get(Product, product_id, with_for_update=True)
        if product.stock < quantity:
            raise OutOfStock(f"{product.name}: {product.stock} left, {quantity} ordered")
        product.stock -= quantity
        order.lines.append(OrderLine(product=product, quantity=quantity, unit_price=product.price))
    session.commit()
    return order
