"""The sample users of advanced_queries.py and best_query_optimisation.py, with addresses.

Importing touches no database.
"""

from sqlalchemy.orm import Session

from model import Address, Base, User

PEOPLE = [  # name, age, email addresses
    ("alice", 30, ["alice@example.com", "alice@gmail.com"]),
    ("bob", 17, ["bob@gmail.com"]),
    ("charlie", 35, ["charlie@example.com"]),
    ("diana", 70, ["diana@example.com"]),
    ("eve", 42, ["eve@gmail.com"]),
]


def seed(engine):
    """This script owns the user and address tables, like main.py: reset, then fill."""
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all(
            User(name=name, age=age, addresses=[Address(email_address=e) for e in emails])
            for name, age, emails in PEOPLE
        )
        session.commit()
