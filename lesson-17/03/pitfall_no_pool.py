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
    with one_line_errors(url):  # settings.py: a failure becomes one line
        unpooled = connections_opened(create_engine(url, poolclass=NullPool))
    print(f"Pitfall: NullPool, {QUERIES} queries: {unpooled} connections opened (a login each)")
    pooled = connections_opened(create_engine(url, pool_size=5, pool_pre_ping=True))
    print(f"Fix: the default QueuePool, {QUERIES} queries: {pooled} connection opened, reused")


if __name__ == "__main__":
    main()
