#!/usr/bin/env python3
"""Connection management: a `with Session(engine)` block always gives its connection back.

Run:   cd lesson-17/03 && python3 connections.py
Needs: MySQL (`make services` from the repository root).

A manual session that meets an exception before close() keeps its connection checked
out of the pool; in a long-running program, each such error costs one more.
"""

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from schema import User, reset
from settings import database_url, one_line_errors


def check_age(user):
    if user.age < 0:
        raise ValueError(f"age must not be negative, got {user.age}")


def main():
    url = database_url()
    engine = create_engine(url, pool_size=5)
    with one_line_errors(url):  # settings.py: a failure becomes one line
        reset(engine)

    # Good: use context managers
    with Session(engine) as session:
        session.add(User(email="alice@example.com", age=30))
        session.commit()
    # Session automatically closed
    print(
        f"with Session(engine): committed; checked out after the block: {engine.pool.checkedout()}"
    )

    try:
        with Session(engine) as session:
            user = User(email="bob@example.com", age=-1)
            session.add(user)
            session.flush()  # the INSERT is sent: the session now holds a connection
            check_age(user)
            session.commit()
    except ValueError as exc:
        print(f"with Session(engine), {exc}: checked out: {engine.pool.checkedout()}")

    # Avoid: manual connection management
    session = Session(engine)
    try:
        user = User(email="carol@example.com", age=-5)
        session.add(user)
        session.flush()
        check_age(user)
        session.commit()
        session.close()  # Easy to forget! And here, never reached.
    except ValueError as exc:
        print(f"Manual session, {exc}: checked out: {engine.pool.checkedout()}")
    session.close()  # what a `with` block would have done: roll back, give it back
    print(f"After an explicit session.close(): checked out: {engine.pool.checkedout()}")

    with Session(engine) as session:
        saved = session.scalars(select(User.email).order_by(User.id)).all()
    print(f"Rows in users: {', '.join(saved)} (the failed inserts were rolled back)")
    engine.dispose()


if __name__ == "__main__":
    main()
