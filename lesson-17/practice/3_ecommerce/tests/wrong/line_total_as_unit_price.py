"""place_order stores the line's total (price x quantity) as its unit price: the report,
which multiplies by the quantity again, counts each line quantity-squared."""

from sqlalchemy import select

from shop_models import Order, OrderLine, OutOfStock, Product

CAUGHT_BY = "test_order"


def place_order(session, customer, items):
    with session.begin():
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
                OrderLine(product=product, quantity=quantity, unit_price=product.price * quantity)
            )
        session.add(order)
    return order
