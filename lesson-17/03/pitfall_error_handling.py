#!/usr/bin/env python3
"""Pitfall: missing error handling. A failed flush leaves the session unusable.

Run:   cd lesson-17/03 && python3 pitfall_error_handling.py
Needs: MySQL (`make services` from the repository root).
"""

from sqlalchemy import create_engine, select
from sqlalchemy.exc import IntegrityError, PendingRollbackError
from sqlalchemy.orm import Session

from schema import User, reset
from settings import database_url, one_line_errors


def sign_up(session, *emails):
    """One unit of work: every user, or none."""
    session.add_all(User(email=email) for email in emails)
    session.commit()


def main():
    url = database_url()
    engine = create_engine(url)
    with one_line_errors(url):
        reset(engine)

    # [start:pitfall]
    session = Session(engine)  # a long-lived session, as in a worker or a web app
    try:
        sign_up(session, "ann@example.com", "ann@example.com")  # the same email twice
    except IntegrityError:
        pass  # "ignored": nobody rolls back
    # [end:pitfall]
    try:
        session.scalars(select(User)).all()
    except PendingRollbackError:
        print("Pitfall: IntegrityError not rolled back; the next query: PendingRollbackError")
    session.close()

    # [start:fix]
    with Session(engine) as session:
        try:
            sign_up(session, "ann@example.com", "ann@example.com")
        except IntegrityError as exc:
            session.rollback()
            # [end:fix]
            print(f"Fix: caught, rolled back, reported: duplicate email (MySQL {exc.orig.args[0]})")
        sign_up(session, "ann@example.com", "ben@example.com")  # the session works again
        saved = session.scalars(select(User.email).order_by(User.id)).all()
        print(f"Fix: the same session then saved: {', '.join(saved)}")


if __name__ == "__main__":
    main()
