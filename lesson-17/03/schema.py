"""The lesson's "good schema" User: constraints and indexes, with names the database keeps.

Best practice 5 and the performance chapter's indexing: email unique and not null,
created_at filled in by the server, and a named index on each column the queries
filter by. Alembic revision 0002 creates this table; 0003 drops a duplicate index.
Importing touches no database.
"""

from datetime import datetime

from sqlalchemy import Index, MetaData, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Constraints get predictable names (uq_users_email, ...), so a migration can drop or
# change them later by name, on MySQL and on SQLite alike. One exception: MySQL names
# every primary key PRIMARY, whatever it is called here; pk_users exists on SQLite.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    age: Mapped[int | None] = mapped_column()
    # server_default: the database fills it in, whoever inserts the row (func.now()
    # as a plain default would be sent by this program only).
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    # The lesson's document also indexes email as idx_user_email; unique=True already
    # makes an index, so a second one only slows writes (revision 0003 drops it).
    __table_args__ = (
        Index("idx_user_age", "age"),
        Index("idx_user_created_at", "created_at"),
    )

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, email={self.email!r}, age={self.age!r})"


def reset(engine):
    """For the scripts that use this table: start each run from an empty `users`."""
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
