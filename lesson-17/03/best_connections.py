#!/usr/bin/env python3
"""Connection management: a `with Session(engine)` block always gives its connection back.

Run:   cd lesson-17/03 && python3 best_connections.py
Needs: MySQL (`make services` from the repository root).

A manual session that meets an exception before close() keeps its connection checked
out of the pool; in a long-running program, each such error costs one more. Last, the
shape of a real program: a sessionmaker, and `with SessionLocal.begin()` per unit of work.
"""

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, sessionmaker

from schema import User, reset
from settings import database_url, one_line_errors


def check_age(user):
    if user.age < 0:
        raise ValueError(f"age must not be negative, got {user.age}")


def main():
    url = database_url()
    engine = create_engine(url, pool_size=5)
    with one_line_errors(url):
        reset(engine)

    # [start:with]
    # Good: use context managers
    with Session(engine) as session:
        session.add(User(email="alice@example.com", age=30))
        session.commit()
    # Session automatically closed
    # [end:with]
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

    # What a program does: one factory, configured once, and a block per unit of work.
    # sessionmaker(engine) makes sessions; .begin() opens one with a transaction that
    # commits at the end of the block, or rolls back if an exception leaves it.
    # [start:sessionmaker]
    SessionLocal = sessionmaker(engine)
    with SessionLocal.begin() as session:
        session.add(User(email="dave@example.com", age=41))
    # [end:sessionmaker]
    try:
        with SessionLocal.begin() as session:
            session.add(User(email="erin@example.com", age=-2))
            session.flush()
            check_age(session.scalars(select(User).where(User.age < 0)).one())
    except ValueError:
        pass
    print(f"sessionmaker(engine).begin(): dave committed, erin rolled back; checked out: "
          f"{engine.pool.checkedout()}")  # fmt: skip

    with Session(engine) as session:
        saved = session.scalars(select(User.email).order_by(User.id)).all()
    print(f"Rows in users: {', '.join(saved)} (failed ones rolled back)")
    engine.dispose()


if __name__ == "__main__":
    main()
