#!/usr/bin/env python3
"""SQLAlchemy 2.x ORM on SQLite: define models, add objects in a session, query them back.

Run:   cd lesson-17/02 && python3 main.py
Needs: SQLAlchemy (pip install -r requirements.txt); no server.
DATABASE_URL picks another database; the default is SQLite in memory, as in the lesson.
SQL_ECHO=1 prints every SQL statement the ORM sends (on stderr).
"""

import logging
import os

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from guard import only_the_lessons_database
from model import Address, Base, User

DATABASE_URL = os.getenv("DATABASE_URL", "sqlite+pysqlite:///:memory:")


def main():
    # [start:engine]
    # Create an SQLite database in memory (the default of DATABASE_URL)
    engine = create_engine(DATABASE_URL, echo=False)
    # [end:engine]
    if os.getenv("SQL_ECHO") == "1":  # every statement, on stderr, for showing a class
        logging.basicConfig(format="%(message)s")
        logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)

    # This script owns its tables: drop what an earlier run left in a file
    # database, then create all tables defined in the model. Only in a database
    # that is the lesson's (guard.py): never in one holding somebody's tables.
    only_the_lessons_database(engine)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)

    # [start:session]
    # Create a new session
    with Session(engine) as session:
        # Create new User and Address instances
        alice = User(name="alice", age=30, addresses=[Address(email_address="alice@example.com")])
        bob = User(name="bob", age=25, addresses=[Address(email_address="bob@example.com")])
        charlie = User(
            name="charlie", age=35, addresses=[Address(email_address="charlie@example.com")]
        )

        # Add the instances to the session and commit
        session.add_all([alice, bob, charlie])
        session.commit()

    # Query users aged 30 or older, in SQLAlchemy 2.0 style: select() builds the
    # statement, session.scalars() runs it and returns User objects. The lesson's
    # document writes the legacy Query API, which 2.0 keeps working and sends the
    # same SELECT:  stmt = session.query(User).filter(User.age >= 30)
    with Session(engine) as session:
        stmt = select(User).where(User.age >= 30)
        for user in session.scalars(stmt):
            print(user)
            for address in user.addresses:
                print("  ", address)
    # [end:session]


if __name__ == "__main__":
    main()
