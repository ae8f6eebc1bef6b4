#!/usr/bin/env python3
"""Pitfall: poor schema design. Without a unique constraint, two users share one email.

Run:   cd lesson-17/03 && python3 pitfall_schema.py
Needs: MySQL (`make services` from the repository root).
"""

from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, func, select
from sqlalchemy.exc import IntegrityError

from settings import database_url, one_line_errors

metadata = MetaData()
# [start:tables]
loose = Table(  # what a hurried first version looks like
    "users_loose",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(255)),
)
strict = Table(  # schema.py's rule: unique and not null, and the database enforces it
    "users_strict",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(255), unique=True, nullable=False),
)
# [end:tables]


def sign_up_twice(engine, table):
    """The same person signs up twice (a double click, a retried request)."""
    for _ in range(2):
        with engine.begin() as conn:
            conn.execute(table.insert().values(email="ann@example.com"))


def rows(engine, table):
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table))


def main():
    url = database_url()
    engine = create_engine(url)
    with one_line_errors(url):
        metadata.drop_all(engine)
        metadata.create_all(engine)

    sign_up_twice(engine, loose)
    print(f"Pitfall: no unique constraint: {rows(engine, loose)} users with ann@example.com")
    try:
        sign_up_twice(engine, strict)
    except IntegrityError as exc:
        print(
            f"Fix: unique=True refused the second (MySQL {exc.orig.args[0]}): "
            f"{rows(engine, strict)} user with ann@example.com"
        )


if __name__ == "__main__":
    main()
