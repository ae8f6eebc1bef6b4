#!/usr/bin/env python3
"""Error handling: a rejected unit of work is rolled back whole; detached objects, fixed.

Run:   cd lesson-17/03 && python3 best_error_handling.py
Needs: MySQL (`make services` from the repository root).
"""

from sqlalchemy import create_engine, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import DetachedInstanceError

from schema import User, reset
from settings import database_url, one_line_errors


def emails(engine):
    with Session(engine) as session:
        return ", ".join(session.scalars(select(User.email).order_by(User.id)))


def main():
    url = database_url()
    engine = create_engine(url)
    with one_line_errors(url):
        reset(engine)
    with Session(engine) as session:
        session.add(User(email="alice@example.com", age=30))
        session.commit()

    # [start:handling]
    # Good: Comprehensive error handling. Carol is fine on her own, but she is in the
    # same unit of work as a second alice@example.com, which the unique email refuses.
    try:
        with Session(engine) as session:
            session.add(User(email="carol@example.com", age=41))
            session.add(User(email="alice@example.com", age=31))
            session.commit()
    except IntegrityError as e:
        # Leaving the `with` block already rolled the session back (the document's
        # session.rollback() is for a session made without `with`).
        print(f"Data integrity error: MySQL error {e.orig.args[0]}, a duplicate email")
    except SQLAlchemyError as e:
        print(f"Database error: {e}")
    # [end:handling]
    print(f"After the failed unit of work: {emails(engine)} (no carol either)")

    # After commit, attributes expire; once the session is closed they cannot reload.
    with Session(engine) as session:
        dave = User(email="dave@example.com", age=52)
        session.add(dave)
        session.commit()
    try:
        print(dave.email)
    except DetachedInstanceError:
        print("After commit and close, dave.email raises DetachedInstanceError")

    # Fix 1: keep the loaded values after commit.
    with Session(engine, expire_on_commit=False) as session:
        erin = User(email="erin@example.com", age=28)
        session.add(erin)
        session.commit()
    print(f"Fix 1, Session(engine, expire_on_commit=False): {erin.email}")

    # Fix 2: read what you need while the session is open.
    with Session(engine) as session:
        frank = User(email="frank@example.com", age=35)
        session.add(frank)
        session.commit()
        email = frank.email  # reloads inside the session
    print(f"Fix 2, read it inside the session: {email}")
    print("Users now:", emails(engine).replace("@example.com", ""), "(all @example.com)")


if __name__ == "__main__":
    main()
