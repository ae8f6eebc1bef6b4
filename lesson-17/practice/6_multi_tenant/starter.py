"""Exercise 6, a multi-tenant application: design the schema for many organisations, on MySQL.

The models below are a first version for one organisation. Change them so that several
organisations share the tables safely, and the database itself enforces it:
- every member and document belongs to an organisation that exists (an org_id column);
- an email is unique within an organisation, and two organisations may each have it;
- a document's owner is a member of the document's own organisation;
- one organisation's documents, in title order, come straight from an index.
Keep the table and column names: the tests write rows with plain SQL.
Stretch goal (optional): write tenant_session() at the end.
Check your work with `make check EXERCISE=6` (or FILE=path/to/your/copy.py).
"""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Organisation(Base):
    __tablename__ = "tenant_organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)


class Member(Base):
    __tablename__ = "tenant_member"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    documents: Mapped[list["Document"]] = relationship(back_populates="owner")


class Document(Base):
    __tablename__ = "tenant_document"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    owner_id: Mapped[int] = mapped_column(ForeignKey("tenant_member.id"))
    owner: Mapped[Member] = relationship(back_populates="documents")


def tenant_session(engine, org_id):
    """Stretch goal: a Session bound to engine that only ever reads, changes or adds
    rows of org_id: every query, relationship load, session.get() and bulk update() or
    delete() sees that organisation's rows only; new rows get its org_id; writing
    another organisation's id raises PermissionError."""
    raise NotImplementedError
