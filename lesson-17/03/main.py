#!/usr/bin/env python3
"""The ORM code of 02 on MySQL: only the connection URL changes.

Run:   cd lesson-17/03 && python3 main.py
Needs: MySQL (`make services` from the repository root); pip install -r requirements.txt
Settings: MYSQL_HOST, MYSQL_PORT, MYSQL_USER, MYSQL_PASSWORD, MYSQL_DATABASE (.env).
"""

import os

from sqlalchemy import URL, create_engine, select
from sqlalchemy.orm import Session

import settings  # loads .env; checks values, and explains a failed connection
from model import Address, Base, User


def main():
    # [start:engine]
    # Create a MySQL database connection: the one change from 02 is the URL.
    # Its parts come from .env, so no password is written in the code.
    url = URL.create(
        "mysql+pymysql",  # the MySQL dialect, through the PyMySQL driver
        username=os.getenv("MYSQL_USER", "lesson"),
        password=settings.secret("MYSQL_PASSWORD"),
        host=os.getenv("MYSQL_HOST", "127.0.0.1"),
        port=settings.port(),
        database=os.getenv("MYSQL_DATABASE", "demo"),
        query=settings.tls(),  # MYSQL_SSL_CA, for a managed MySQL in the cloud
    )
    engine = create_engine(url, echo=False)
    # [end:engine]
    with settings.one_line_errors(url):
        # The tables are dropped first: main.py owns them, so each run starts empty.
        Base.metadata.drop_all(engine)
        Base.metadata.create_all(engine)

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


if __name__ == "__main__":
    main()
