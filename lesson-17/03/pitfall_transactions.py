#!/usr/bin/env python3
"""Pitfall: ignoring transactions. Two dependent inserts, committed one by one, leave
half an order behind when the second fails; in one transaction they leave nothing.
And in MySQL, DDL (CREATE TABLE, ...) commits whatever the transaction did before it.

Run:   cd lesson-17/03 && python3 pitfall_transactions.py
Needs: MySQL (`make services` from the repository root).
"""

from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError, OperationalError

from settings import database_url, one_line_errors

TABLES = [  # throw-away tables this script owns
    "DROP TABLE IF EXISTS demo_note",
    "DROP TABLE IF EXISTS demo_order_line",
    "DROP TABLE IF EXISTS demo_order",
    "CREATE TABLE demo_order (id INT PRIMARY KEY, customer VARCHAR(50) NOT NULL)",
    "CREATE TABLE demo_order_line (id INT AUTO_INCREMENT PRIMARY KEY,"
    " order_id INT NOT NULL, quantity INT NOT NULL CHECK (quantity > 0),"
    " FOREIGN KEY (order_id) REFERENCES demo_order (id))",
]
ORDER = text("INSERT INTO demo_order (id, customer) VALUES (:id, 'ann')")
LINE = text("INSERT INTO demo_order_line (order_id, quantity) VALUES (:id, :quantity)")


# [start:order]
def place_order(conn, order_id):
    conn.execute(ORDER, {"id": order_id})
    conn.execute(LINE, {"id": order_id, "quantity": 0})  # refused by the CHECK


# [end:order]


def counts(engine):
    with engine.connect() as conn:
        orders = conn.execute(text("SELECT COUNT(*) FROM demo_order")).scalar()
        lines = conn.execute(text("SELECT COUNT(*) FROM demo_order_line")).scalar()
    return f"{orders} order(s), {lines} line(s)"


def main():
    url = database_url()
    engine = create_engine(url)
    with one_line_errors(url):
        with engine.begin() as conn:
            for statement in TABLES:
                conn.execute(text(statement))

    # Every statement is its own transaction (autocommit): the order stays.
    # [start:pitfall]
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        try:
            place_order(conn, 1)
        except (IntegrityError, OperationalError):
            print(f"Pitfall: autocommit per statement, the line failed: {counts(engine)} left")
    # [end:pitfall]

    # One transaction: the failed line takes the order with it.
    with engine.connect() as conn:
        conn.execute(text("DELETE FROM demo_order"))
        conn.commit()
    # [start:fix]
    try:
        with engine.begin() as conn:  # commits at the end, or rolls back on an exception
            place_order(conn, 2)
    except (IntegrityError, OperationalError):
        print(f"Fix: one transaction, the line failed: {counts(engine)} left")
    # [end:fix]

    # One more trap, MySQL's own: a CREATE, ALTER or DROP TABLE first commits the open
    # transaction (an implicit commit), so rollback() cannot take back what came before.
    with engine.connect() as conn:
        # [start:ddl]
        conn.execute(ORDER, {"id": 3})
        conn.execute(text("CREATE TABLE demo_note (id INT)"))  # DDL: commits the INSERT
        conn.rollback()
        # [end:ddl]
    print(f"Pitfall: DDL mid-transaction, then rollback(): {counts(engine)} left")
    with engine.begin() as conn:  # leave no order behind, as the fix does
        conn.execute(text("DELETE FROM demo_order"))


if __name__ == "__main__":
    main()
