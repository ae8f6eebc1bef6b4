#!/usr/bin/env python3
"""Query optimisation: load relationships eagerly, and make accidental lazy loads fail.

Run:   cd lesson-17/03 && python3 best_query_optimisation.py
Needs: MySQL (`make services` from the repository root).
Uses the five users of advanced_queries.py, and its statement counter.
"""

from sqlalchemy import create_engine, select
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session, joinedload, raiseload, selectinload

from model import User
from sample_users import seed
from settings import database_url, one_line_errors
from statements import count_statements

# [start:strategies]
STRATEGIES = {
    "Lazy loading (N+1)": [],  # one query for the users, then one per user
    "joinedload": [joinedload(User.addresses)],  # one query with a JOIN
    "selectinload": [selectinload(User.addresses)],  # users, then all addresses at once
}
# [end:strategies]


def main():
    url = database_url()
    engine = create_engine(url)
    with one_line_errors(url):
        seed(engine)
    sent = count_statements(engine)

    with Session(engine) as session:
        # The same question in the legacy Query API and in 2.0 style.
        legacy = session.query(User).order_by(User.id).all()
        modern = session.scalars(select(User).order_by(User.id)).all()
        print(f"session.query(User):          {', '.join(user.name for user in legacy)}")
        print(f"session.scalars(select(User)): {', '.join(user.name for user in modern)}")

    for label, options in STRATEGIES.items():
        with Session(engine) as session:
            sent.clear()
            users = session.scalars(select(User).options(*options).order_by(User.id)).unique()
            addresses = sum(len(user.addresses) for user in users.all())
            print(f"{label}: {addresses} addresses, SQL statements: {len(sent)}")

    # raiseload: a lazy load that slipped into a loop fails at once instead of
    # silently sending one query per row.
    with Session(engine) as session:
        users = session.scalars(select(User).options(raiseload(User.addresses))).all()
        try:
            print(users[0].addresses)
        except InvalidRequestError as exc:
            print(f"raiseload: reading user.addresses raised {type(exc).__name__}")


if __name__ == "__main__":
    main()
