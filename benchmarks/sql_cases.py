"""Benchmark cases on SQLite and MySQL: inserts, index scaling, N+1, pooling.

Each path is a function of (engine or URL, size) that prepares what it needs, times
only the work the lesson talks about, and returns (seconds, extra facts). The runner
in bench.py repeats them and compares paths of the same case.
"""

import random
import time
from contextlib import closing

from sqlalchemy import (
    ForeignKey,
    NullPool,
    String,
    create_engine,
    event,
    insert,
    select,
    text,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    joinedload,
    mapped_column,
    relationship,
    selectinload,
)


class Base(DeclarativeBase):
    pass


class BenchUser(Base):
    """Tables of their own (bench_*): the lesson's tables stay untouched."""

    __tablename__ = "bench_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    email: Mapped[str] = mapped_column(String(60))
    age: Mapped[int] = mapped_column()
    addresses: Mapped[list["BenchAddress"]] = relationship(back_populates="user")


class BenchAddress(Base):
    __tablename__ = "bench_address"
    id: Mapped[int] = mapped_column(primary_key=True)
    email_address: Mapped[str] = mapped_column(String(60))
    user_id: Mapped[int] = mapped_column(ForeignKey("bench_user.id"))
    user: Mapped[BenchUser] = relationship(back_populates="addresses")


def fresh(engine):
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)


def rows(count):
    return [
        {"name": f"user{i}", "email": f"user{i}@example.com", "age": 20 + i % 50}
        for i in range(count)
    ]


def timed(work):
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


# --- 1. inserts: naive -> the lesson's paths -> the raw driver's ceiling ---


def insert_commit_per_row(engine, count):
    fresh(engine)
    data = rows(count)

    def work():
        with Session(engine) as session:
            for row in data:
                session.add(BenchUser(**row))
                session.commit()

    return timed(work), {}


def insert_add_all(engine, count):
    fresh(engine)
    data = rows(count)

    def work():
        with Session(engine) as session:
            session.add_all([BenchUser(**row) for row in data])
            session.commit()

    return timed(work), {}


def insert_orm_bulk(engine, count):
    fresh(engine)
    data = rows(count)

    def work():
        with Session(engine) as session:
            session.execute(insert(BenchUser), data)
            session.commit()

    return timed(work), {}


def insert_core(engine, count):
    fresh(engine)
    data = rows(count)

    def work():
        with engine.begin() as conn:
            conn.execute(insert(BenchUser.__table__), data)

    return timed(work), {}


def insert_raw_driver(engine, count):
    """The DB-API driver itself: one executemany in one transaction (sqlite3, PyMySQL)."""
    fresh(engine)
    mark = "?" if engine.dialect.name == "sqlite" else "%s"
    sql = f"INSERT INTO bench_user (name, email, age) VALUES ({mark}, {mark}, {mark})"
    data = [(r["name"], r["email"], r["age"]) for r in rows(count)]
    raw = engine.raw_connection()

    def work():
        with closing(raw.cursor()) as cur:
            cur.executemany(sql, data)
        raw.commit()

    try:
        return timed(work), {}
    finally:
        raw.close()


INSERT_PATHS = {
    "commit per row": insert_commit_per_row,
    "add_all + one commit": insert_add_all,
    "ORM bulk insert(Model), dicts": insert_orm_bulk,
    "Core insert() executemany": insert_core,
    "raw driver executemany": insert_raw_driver,
}


# --- 2. an index, and how lookup cost grows with the table ---

LOOKUPS = 50


def fill_for_lookup(engine, size, indexed):
    fresh(engine)
    with engine.begin() as conn:
        conn.execute(insert(BenchUser.__table__), rows(size))
        if indexed:
            conn.execute(text("CREATE INDEX idx_bench_user_email ON bench_user (email)"))


def lookup(engine, size, indexed):
    fill_for_lookup(engine, size, indexed)
    wanted = [f"user{i}@example.com" for i in random.Random(size).sample(range(size), LOOKUPS)]
    query = text("SELECT id FROM bench_user WHERE email = :email")
    with engine.connect() as conn:
        conn.execute(query, {"email": wanted[0]}).all()  # warm the cache and the plan
        started = time.perf_counter()
        for email in wanted:
            conn.execute(query, {"email": email}).all()
        seconds = (time.perf_counter() - started) / LOOKUPS
    return seconds, {}


def lookup_without_index(engine, size):
    return lookup(engine, size, indexed=False)


def lookup_with_index(engine, size):
    return lookup(engine, size, indexed=True)


# --- 3. N+1 versus eager loading ---


def seed_parents(engine, parents):
    fresh(engine)
    with engine.begin() as conn:
        conn.execute(insert(BenchUser.__table__), rows(parents))
        addresses = [
            {"email_address": f"a{n}.{k}@example.com", "user_id": n + 1}
            for n in range(parents)
            for k in range(3)
        ]
        conn.execute(insert(BenchAddress.__table__), addresses)


def load_addresses(engine, parents, options):
    seed_parents(engine, parents)
    sent = []
    listener = lambda *args: sent.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:

        def work():
            with Session(engine) as session:
                users = session.scalars(select(BenchUser).options(*options)).unique().all()
                assert sum(len(user.addresses) for user in users) == 3 * parents

        seconds = timed(work)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seconds, {"statements": len(sent)}


def lazy_n_plus_1(engine, parents):
    return load_addresses(engine, parents, [])


def eager_joinedload(engine, parents):
    return load_addresses(engine, parents, [joinedload(BenchUser.addresses)])


def eager_selectinload(engine, parents):
    return load_addresses(engine, parents, [selectinload(BenchUser.addresses)])


# --- 4. a connection per query versus a pool (MySQL) ---


def server_connections(url):
    with create_engine(url, poolclass=NullPool).connect() as conn:
        return int(conn.execute(text("SHOW GLOBAL STATUS LIKE 'Connections'")).one()[1])


def queries_on(engine, url, queries):
    before = server_connections(url)

    def work():
        for _ in range(queries):
            with engine.connect() as conn:
                conn.execute(text("SELECT 1")).scalar()

    seconds = timed(work)
    engine.dispose()
    # minus the one that server_connections itself opened
    return seconds, {"connections": server_connections(url) - before - 1}


def no_pool(url, queries):
    return queries_on(create_engine(url, poolclass=NullPool), url, queries)


def no_pool_no_tls(url, queries):
    """NullPool again, without the TLS context PyMySQL builds for every connection by
    default (it prefers TLS, and loads the system's CA certificates each time)."""
    engine = create_engine(url, poolclass=NullPool, connect_args={"ssl_disabled": True})
    return queries_on(engine, url, queries)


def queue_pool(url, queries):
    """A pool, checked out without a ping, as NullPool's fresh connections are: like
    with like, so the difference is the connection itself."""
    return queries_on(create_engine(url, pool_size=5), url, queries)


def queue_pool_pre_ping(url, queries):
    """The same pool with pool_pre_ping=True: every checkout of a connection that is not
    new pings the server first (sqlalchemy/pool/base.py, _ConnectionFairy._checkout),
    one more round trip per borrow."""
    return queries_on(create_engine(url, pool_size=5, pool_pre_ping=True), url, queries)


def held_connection(url, queries):
    """The floor: the same query and rollback on one connection held open, with no
    checkout at all. QueuePool minus this is what a borrow costs."""
    engine = create_engine(url, poolclass=NullPool)
    before = server_connections(url)

    def work():
        with engine.connect() as conn:
            for _ in range(queries):
                conn.execute(text("SELECT 1")).scalar()
                conn.rollback()  # as leaving `with engine.connect()` does

    seconds = timed(work)
    engine.dispose()
    return seconds, {"connections": server_connections(url) - before - 1}
