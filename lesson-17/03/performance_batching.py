#!/usr/bin/env python3
"""Query batching: many rows in one unit of work, and one UPDATE for all of them.

Run:   cd lesson-17/03 && python3 performance_batching.py
Needs: MySQL (`make services` from the repository root).
Prints what is sent to the server; the time it saves is measured by `make bench`.
"""

from sqlalchemy import create_engine, event, func, insert, select, update
from sqlalchemy.orm import Session

from schema import User, reset
from settings import database_url, one_line_errors
from statements import count_statements

USERS = [{"email": f"user{i}@example.com", "age": 20 + i % 50} for i in range(1000)]
MORE_USERS = [{"email": f"bulk{i}@example.com", "age": 30} for i in range(1000)]


# [start:batch]
# Batch inserts for better performance
def batch_insert_users(session, users_data):
    users = [User(**data) for data in users_data]
    session.add_all(users)
    session.commit()


# The fast path for loading data: an ORM bulk INSERT from dicts, with no User objects
# to build and track (what `make bench` measures as "ORM bulk insert(Model), dicts")
def bulk_insert_users(session, users_data):
    session.execute(insert(User), users_data)
    session.commit()


# Bulk operations (the legacy Query API, as the lesson writes it)
def bulk_update_ages(session, age_increment):
    session.query(User).update({User.age: User.age + age_increment})
    session.commit()


# The same bulk UPDATE in SQLAlchemy 2.0 style
def bulk_update_ages_2_0(session, age_increment):
    result = session.execute(update(User).values(age=User.age + age_increment))
    session.commit()
    return result.rowcount


# [end:batch]


def kinds(sent):
    """How many statements of each kind (INSERT, UPDATE, ...) were sent."""
    counts = {}
    for statement in sent:
        kind = statement.split(None, 1)[0].upper()
        counts[kind] = counts.get(kind, 0) + 1
    return ", ".join(f"{kind} x{n}" for kind, n in sorted(counts.items()))


def as_mysql_receives(engine):
    """A list of the statements as MySQL receives them. PyMySQL puts the values into the
    SQL text on the client: cursor.mogrify() returns what cursor.execute() sends."""
    received = []

    @event.listens_for(engine, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany):
        if not executemany:
            received.append(cursor.mogrify(statement, parameters))

    return received


def average_age(session):
    return float(session.scalar(select(func.avg(User.age))))


def main():
    url = database_url()
    engine = create_engine(url)
    with one_line_errors(url):
        reset(engine)
    sent = count_statements(engine)
    received = as_mysql_receives(engine)

    with Session(engine) as session:
        # How many INSERTs that takes depends on the server: MariaDB hands back the new
        # ids of a multi-row INSERT (1 statement), MySQL 8 does not (1 per row).
        batch_insert_users(session, USERS)
        print(f"batch_insert_users: {len(USERS)} users, one session, one commit")
        before = average_age(session)

        sent.clear()
        bulk_update_ages(session, 1)
        print(f"bulk_update_ages(+1), legacy session.query().update(): sent: {kinds(sent)}")
        sent.clear()
        received.clear()
        changed = bulk_update_ages_2_0(session, 1)
        print(f"The same, session.execute(update(User)): {changed} rows; sent: {kinds(sent)}")
        # SQLAlchemy hands PyMySQL a statement with a placeholder and the value apart
        print(f"  SQLAlchemy hands PyMySQL: {' '.join(sent[0].split())}")
        print(f"  MySQL receives: {' '.join(received[0].split())}")
        print(f"Average age: {before:.2f} before, {average_age(session):.2f} after")

        sent.clear()
        bulk_insert_users(session, MORE_USERS)
        inserted = kinds(sent)
        total = session.scalar(select(func.count()).select_from(User))
        print(f"bulk_insert_users, session.execute(insert(User), dicts): {len(MORE_USERS)} more")
        print(f"  sent: {inserted}; users now {total}")


if __name__ == "__main__":
    main()
