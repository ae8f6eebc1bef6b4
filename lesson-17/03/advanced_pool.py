#!/usr/bin/env python3
"""Connection pooling: many threads share a few MySQL connections, checked before use.

Run:   cd lesson-17/03 && python3 advanced_pool.py
Needs: MySQL (`make services` from the repository root).
"""

from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

from sqlalchemy import NullPool, create_engine, text
from sqlalchemy.pool import QueuePool

from settings import database_url, one_line_errors

POOL_SIZE = 5
THREADS, QUERIES = 10, 20
CONNECTION_ID = text("SELECT CONNECTION_ID()")


def connection_ids(engine, count):
    """Hold `count` connections at once and ask the server who each one is."""
    with ExitStack() as stack:
        conns = [stack.enter_context(engine.connect()) for _ in range(count)]
        return {conn.execute(CONNECTION_ID).scalar() for conn in conns}


def one_query(engine):
    with engine.connect() as conn:  # borrowed from the pool, given back on exit
        return conn.execute(CONNECTION_ID).scalar()


def main():
    url = database_url()
    # Configure connection pooling
    # [start:pool]
    engine = create_engine(
        url,
        poolclass=QueuePool,
        pool_size=POOL_SIZE,  # connections kept open
        max_overflow=0,  # never more: a thread waits for a free one (pool_timeout)
        pool_recycle=3600,  # reopen connections older than an hour
        pool_pre_ping=True,  # test each connection as it is checked out
    )
    # [end:pool]
    with one_line_errors(url):
        pooled = connection_ids(engine, POOL_SIZE)
    print(f"Pool of {POOL_SIZE}, no overflow, pre-ping on")
    print(f"Held {POOL_SIZE} connections at once: {len(pooled)} server connections")

    with ThreadPoolExecutor(max_workers=THREADS) as executor:
        used = set(executor.map(lambda _: one_query(engine), range(QUERIES)))
    print(
        f"{QUERIES} queries from {THREADS} threads: {len(used - pooled)} connections opened "
        f"beyond those {POOL_SIZE}"
    )

    # The server drops one pooled connection, as after a restart or an idle timeout.
    victim = min(pooled)
    admin = create_engine(url, poolclass=NullPool)  # a connection outside the pool
    with admin.connect() as conn:
        conn.execute(text(f"KILL CONNECTION {victim}"))
    # Pre-ping finds it on checkout and reconnects. Taking a dropped connection as a
    # sign of a server restart, SQLAlchemy also renews the pooled ones older than it.
    after = connection_ids(engine, POOL_SIZE)
    print(
        f"The server killed one of them; the pool still holds it: "
        f"{'yes' if victim in after else 'no, pre-ping replaced it'}"
    )
    print(f"Connections that work after that: {len(after)}")
    engine.dispose()


if __name__ == "__main__":
    main()
