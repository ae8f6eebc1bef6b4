#!/usr/bin/env python3
"""The ORM code of 02 on MySQL: only the connection URL changes.

Run:   cd lesson-17/03 && python3 main.py
Needs: MySQL (`make services` from the repository root); pip install -r requirements.txt
Settings: MYSQL_HOST, MYSQL_PORT, MYSQL_USER, MYSQL_PASSWORD, MYSQL_DATABASE (.env).
"""

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from model import Address, Base, User
from settings import database_url, one_line_errors


def main():
    url = database_url()  # settings.py: from the environment or .env
    # Create a MySQL database connection
    engine = create_engine(url, echo=False)
    with one_line_errors(url):  # settings.py: a failure becomes one line
        # This script owns its two tables: drop what an earlier run left, so a
        # second run prints the same as the first, then create all tables.
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
