"""Exercise 6, a multi-tenant application on MySQL: the models and exceptions, given.

starter.py, solution.py and your copy import them from here; there is nothing to write.
"""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Organisation(Base):
    __tablename__ = "tenant_organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)


class TenantScoped:
    """Every row of these tables belongs to one organisation."""

    org_id: Mapped[int] = mapped_column(ForeignKey("tenant_organisation.id"))


class Member(TenantScoped, Base):
    __tablename__ = "tenant_member"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    documents: Mapped[list["Document"]] = relationship(back_populates="owner")


class Document(TenantScoped, Base):
    __tablename__ = "tenant_document"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    owner_id: Mapped[int] = mapped_column(ForeignKey("tenant_member.id"))
    owner: Mapped[Member] = relationship(back_populates="documents")
