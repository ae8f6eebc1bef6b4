#!/usr/bin/env python3
"""Database indexing: the same lookup by a non-key column, without and with an index.

Run:   cd lesson-17/03 && python3 performance_indexing.py
Needs: MySQL (`make services` from the repository root); SQLite comes with Python.

The query plan says how the database will find the row: EXPLAIN on MySQL,
EXPLAIN QUERY PLAN on SQLite. Without an index both read every row; with one they
go straight to it. (How much time that saves, as the table grows: `make bench`.)
"""

from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, text

from settings import database_url, one_line_errors

ROWS = 20_000
WANTED = "user12345@example.com"
metadata = MetaData()
people = Table(  # a throw-away table this script owns
    "index_demo",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(255), nullable=False),
    Column("age", Integer, nullable=False),
)
INDEX = "idx_index_demo_email"
QUERY = text("SELECT id, email, age FROM index_demo WHERE email = :email")


def fill(engine):
    metadata.drop_all(engine)
    metadata.create_all(engine)
    rows = [{"email": f"user{i}@example.com", "age": 18 + i % 60} for i in range(ROWS)]
    with engine.begin() as conn:
        conn.execute(insert(people), rows)


# [start:explain]
def mysql_plan(conn):
    row = conn.execute(text(f"EXPLAIN {QUERY.text}"), {"email": WANTED}).mappings().one()
    return f"type={row['type']}, key={row['key']}"


# [end:explain]


def sqlite_plan(conn):
    rows = conn.execute(text(f"EXPLAIN QUERY PLAN {QUERY.text}"), {"email": WANTED})
    return "; ".join(row.detail for row in rows)


def show(engine, name, plan):
    fill(engine)
    print(f"{name}, {ROWS} rows, WHERE email = '{WANTED}':")
    with engine.connect() as conn:
        print(f"  without an index: {plan(conn)}")
    with engine.begin() as conn:
        # [start:index]
        conn.execute(text(f"CREATE INDEX {INDEX} ON index_demo (email)"))
        # [end:index]
    with engine.connect() as conn:
        print(f"  with the index: {plan(conn)}")
        found = conn.execute(QUERY, {"email": WANTED}).one()
    print(f"  found: id {found.id}, age {found.age}")


def main():
    url = database_url()
    mysql = create_engine(url)
    with one_line_errors(url):
        show(mysql, "MySQL", mysql_plan)
    show(create_engine("sqlite://"), "SQLite", sqlite_plan)


if __name__ == "__main__":
    main()
