"""Exercise 1, user management: the models and exceptions, given.

starter.py, solution.py and your copy import them from here; there is nothing to write.
"""

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "practice_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(50))
    age: Mapped[int] = mapped_column()


class DuplicateEmail(Exception):
    """Raised by create_user when the email is taken."""
