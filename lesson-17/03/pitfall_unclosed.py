#!/usr/bin/env python3
"""Pitfall: a transaction left open. Its session keeps the connection, and the pool runs dry.

A Session takes a connection from the pool when its transaction begins (the first query)
and gives it back when the transaction ends: commit(), rollback() or close(). A session
that queried and was never committed nor closed keeps its connection, and its locks.

Run:   cd lesson-17/03 && python3 pitfall_unclosed.py
Needs: MySQL (`make services` from the repository root).
"""

from sqlalchemy import create_engine, text
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from settings import database_url, one_line_errors

POOL_SIZE = 2


def main():
    url = database_url()
    # A small pool that never grows, and gives up after one second.
    engine = create_engine(url, pool_size=POOL_SIZE, max_overflow=0, pool_timeout=1)

    forgotten = []  # sessions a program made and never finished (as a global or a cache would)
    with one_line_errors(url):
        try:
            # [start:pitfall]
            for _ in range(POOL_SIZE + 1):
                session = Session(engine)
                session.execute(text("SELECT 1"))  # begins a transaction: takes a connection
                forgotten.append(session)
            # [end:pitfall]
        except PoolTimeout:
            print(
                f"Pitfall: {len(forgotten)} sessions with a transaction left open hold "
                f"{engine.pool.checkedout()} of {POOL_SIZE} connections\n"
                "         the next one waited 1 s: TimeoutError"
            )
    for session in forgotten:
        session.close()

    committed = []  # finished but never closed: the connection went back at commit()
    for _ in range(10):
        session = Session(engine)
        session.execute(text("SELECT 1"))
        session.commit()
        committed.append(session)
    print(
        f"Committed, never closed: {len(committed)} sessions hold "
        f"{engine.pool.checkedout()} connections"
    )
    for session in committed:
        session.close()

    for _ in range(10):
        # [start:fix]
        with Session(engine) as session:  # ends the transaction (and closes) at the end
            session.execute(text("SELECT 1"))
        # [end:fix]
    print(
        f"Fix: 10 sessions in `with` blocks on the pool of {POOL_SIZE}; "
        f"checked out after: {engine.pool.checkedout()}"
    )
    engine.dispose()


if __name__ == "__main__":
    main()
