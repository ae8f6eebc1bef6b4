#!/usr/bin/env python3
"""Richer ORM queries on MySQL: and_/or_, aggregates, eager loading, and subqueries.

Run:   cd lesson-17/03 && python3 advanced_queries.py
Needs: MySQL (`make services` from the repository root).
"""

from sqlalchemy import and_, create_engine, func, or_
from sqlalchemy.orm import Session, joinedload

from model import Address, User
from sample_users import seed
from settings import database_url, one_line_errors
from statements import count_statements


def names(users):
    return ", ".join(user.name for user in users)


def main():
    url = database_url()
    engine = create_engine(url)
    with one_line_errors(url):  # settings.py: a failure becomes one line
        seed(engine)
    sent = count_statements(engine)

    with Session(engine) as session:
        # Complex filtering
        adults = session.query(User).filter(and_(User.age >= 18, User.age <= 65)).order_by(User.id)
        print(f"Aged 18 to 65: {names(adults)}")
        edges = session.query(User).filter(or_(User.age < 18, User.age > 65)).order_by(User.id)
        print(f"Younger than 18 or older than 65: {names(edges)}")

        # Aggregation: the database computes it, one row comes back
        avg_age = session.query(func.avg(User.age)).scalar()
        print(f"Average age: {float(avg_age):.1f}")

        # Subqueries: users with at least one gmail address
        subq = (
            session.query(Address.user_id)
            .filter(Address.email_address.like("%@gmail.com"))
            .subquery()
        )
        gmail_users = session.query(User).filter(User.id.in_(subq.select())).order_by(User.id)
        print(f"With a gmail address: {names(gmail_users)}")

    # Eager loading relationships: lazy loading costs one query per user (N+1)
    for label, options in (("Lazy loading", []), ("joinedload", [joinedload(User.addresses)])):
        with Session(engine) as session:
            sent.clear()
            users = session.query(User).options(*options).order_by(User.id).all()
            emails = sum(len(user.addresses) for user in users)
            print(f"{label}: {len(users)} users, {emails} addresses, SQL statements: {len(sent)}")


if __name__ == "__main__":
    main()
