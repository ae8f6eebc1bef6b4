"""org_id is a NOT NULL integer with no foreign key: a row can name organisation 99,
which does not exist."""

from sqlalchemy import ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

CAUGHT_BY = "test_every_row_belongs_to_an_organisation"


class Base(DeclarativeBase):
    pass


class Organisation(Base):
    __tablename__ = "tenant_organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)


class TenantScoped:
    org_id: Mapped[int] = mapped_column()


class Member(TenantScoped, Base):
    __tablename__ = "tenant_member"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(50))
    documents: Mapped[list["Document"]] = relationship(back_populates="owner")
    __table_args__ = (UniqueConstraint("org_id", "email"), UniqueConstraint("org_id", "id"))


class Document(TenantScoped, Base):
    __tablename__ = "tenant_document"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    owner_id: Mapped[int] = mapped_column()
    owner: Mapped[Member] = relationship(back_populates="documents")
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "owner_id"], ["tenant_member.org_id", "tenant_member.id"]),
        Index("ix_tenant_document_org_id_title", "org_id", "title"),
    )
