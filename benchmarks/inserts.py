#!/usr/bin/env python3
"""How much batching saves: the same rows inserted three ways, on SQLite and on MySQL.

Run:   make bench   (or: .venv/bin/python benchmarks/inserts.py [rows])
Needs: MySQL from `make services` for the MySQL rows.

Not a test: timings depend on the machine. It prints a table to read, not a verdict.
"""

import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import String, create_engine, insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

# The MySQL settings of section 03 (from .env), read by the lesson's own module.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lesson-17" / "03"))
from settings import database_url  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 2000


class Base(DeclarativeBase):
    pass


class BenchUser(Base):
    __tablename__ = "bench_user"  # its own table: the lesson's tables stay untouched
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    age: Mapped[int] = mapped_column()


def rows():
    return [{"name": f"user{i}", "age": 20 + i % 50} for i in range(ROWS)]


def commit_per_row(engine):
    with Session(engine) as session:
        for row in rows():
            session.add(BenchUser(**row))
            session.commit()


def add_all_one_commit(engine):
    with Session(engine) as session:
        session.add_all(BenchUser(**row) for row in rows())
        session.commit()


def core_executemany(engine):
    with engine.begin() as conn:
        conn.execute(insert(BenchUser), rows())


def main():
    with tempfile.TemporaryDirectory() as tmp:
        targets = {"SQLite file": f"sqlite:///{tmp}/bench.db", "MySQL": database_url()}
        print(f"{ROWS} rows each; seconds and rows per second (more is better)")
        for label, url in targets.items():
            engine = create_engine(url)
            try:
                Base.metadata.drop_all(engine)
            except OperationalError as exc:
                sys.exit(f"error: {label}: {exc.orig}. Start the servers with: make services")
            for strategy in (commit_per_row, add_all_one_commit, core_executemany):
                Base.metadata.drop_all(engine)
                Base.metadata.create_all(engine)
                started = time.perf_counter()
                strategy(engine)
                seconds = time.perf_counter() - started
                name = strategy.__name__.replace("_", " ")
                print(f"{label:<12} {name:<20} {seconds:8.3f} s {ROWS / seconds:10.0f} rows/s")
            Base.metadata.drop_all(engine)
            engine.dispose()


if __name__ == "__main__":
    main()
