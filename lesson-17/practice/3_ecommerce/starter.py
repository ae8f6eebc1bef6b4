"""Exercise 3, e-commerce: orders as one transaction, and revenue per category, on MySQL.

Write the two functions below; the models are given. Check your work with
`make check EXERCISE=3` (or FILE=path/to/your/copy.py).
"""

# The given models (see shop_models.py), for your functions to use.
from shop_models import Base, Category, Order, OrderLine, OutOfStock, Product


def place_order(session, customer, items):
    """Place one order: items maps product id -> quantity. Lower each product's stock
    and record each line at the product's current price, all in one transaction.
    If any product has too little stock, raise OutOfStock and change nothing at all.
    Return the Order."""
    raise NotImplementedError


def revenue_by_category(session):
    """{category name: total of quantity x unit price over all order lines}, as Decimals,
    for the categories that sold something; computed by the database, not in Python."""
    raise NotImplementedError
