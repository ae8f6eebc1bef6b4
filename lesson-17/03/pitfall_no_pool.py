#!/usr/bin/env python3
"""Pitfall: no connection pooling. Without a pool, every query opens a new connection.

Run:   cd lesson-17/03 && python3 pitfall_no_pool.py
Needs: MySQL (`make services` from the repository root).
advanced_pool.py shows the pool itself at work.
"""

from sqlalchemy import NullPool, create_engine, event, text

from settings import database_url, one_line_errors

QUERIES = 20


def connections_opened(engine):
    """Run QUERIES queries one after another; count the logins the engine made."""
    opened = []
    event.listen(engine, "connect", lambda *_: opened.append(1))
    for _ in range(QUERIES):
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    engine.dispose()
    return len(opened)


def main():
    url = database_url()
    # [start:pools]
    unpooled = create_engine(url, poolclass=NullPool)  # opens a connection for each use
    pooled = create_engine(url, pool_size=5, pool_pre_ping=True)  # the default, QueuePool
    # [end:pools]
    with one_line_errors(url):
        opened = connections_opened(unpooled)
    print(f"Pitfall: NullPool, {QUERIES} queries: {opened} connections opened (a login each)")
    opened = connections_opened(pooled)
    print(f"Fix: the default QueuePool, {QUERIES} queries: {opened} connection opened, reused")


if __name__ == "__main__":
    main()
