#!/usr/bin/env python3
"""Richer ORM queries on MySQL: and_/or_, aggregates, eager loading, and subqueries.

Run:   cd lesson-17/03 && python3 advanced_queries.py
Needs: MySQL (`make services` from the repository root).
"""

from sqlalchemy import and_, create_engine, func, or_, select
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
    with one_line_errors(url):
        seed(engine)
    sent = count_statements(engine)

    # SQLAlchemy 2.0 style: select() builds a statement, session.scalars() runs it and
    # returns objects. Each "legacy:" comment is the same query in the Query API the
    # lesson's document uses, which SQLAlchemy 2.0 keeps working but calls legacy.
    with Session(engine) as session:
        # [start:queries]
        # Complex filtering
        # legacy: session.query(User).filter(and_(User.age >= 18, User.age <= 65)).all()
        adults = select(User).where(and_(User.age >= 18, User.age <= 65)).order_by(User.id)
        print(f"Aged 18 to 65: {names(session.scalars(adults))}")
        edges = select(User).where(or_(User.age < 18, User.age > 65)).order_by(User.id)
        print(f"Younger than 18 or older than 65: {names(session.scalars(edges))}")

        # Aggregation: the database computes it, one row comes back
        # legacy: session.query(func.avg(User.age)).scalar()
        avg_age = session.scalar(select(func.avg(User.age)))
        print(f"Average age: {float(avg_age):.1f}")

        # Subqueries: users with at least one gmail address
        # legacy: subq = session.query(Address.user_id).filter(
        #             Address.email_address.like("%@gmail.com")).subquery()
        #         session.query(User).filter(User.id.in_(subq.select())).all()
        subq = select(Address.user_id).where(Address.email_address.like("%@gmail.com"))
        gmail_users = select(User).where(User.id.in_(subq)).order_by(User.id)
        # [end:queries]
        print(f"With a gmail address: {names(session.scalars(gmail_users))}")

    # Eager loading relationships: lazy loading costs one query per user (N+1)
    # legacy: session.query(User).options(joinedload(User.addresses)).all()
    for label, options in (("Lazy loading", []), ("joinedload", [joinedload(User.addresses)])):
        with Session(engine) as session:
            sent.clear()
            stmt = select(User).options(*options).order_by(User.id)
            # unique(): the JOIN returns a user once per address; fold them into one
            users = session.scalars(stmt).unique().all()
            emails = sum(len(user.addresses) for user in users)
            print(f"{label}: {len(users)} users, {emails} addresses, SQL statements: {len(sent)}")


if __name__ == "__main__":
    main()
