"""The email keeps its unique=True of the single-tenant version, beside the new
(org_id, id) key: unique across all organisations, so two organisations cannot both
have ann@example.com."""

from sqlalchemy import ForeignKey, ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

CAUGHT_BY = "test_an_email_is_unique_within_an_organisation"


class Base(DeclarativeBase):
    pass


class Organisation(Base):
    __tablename__ = "tenant_organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)


class TenantScoped:
    org_id: Mapped[int] = mapped_column(ForeignKey("tenant_organisation.id"))


class Member(TenantScoped, Base):
    __tablename__ = "tenant_member"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    documents: Mapped[list["Document"]] = relationship(back_populates="owner")
    __table_args__ = (UniqueConstraint("org_id", "id"),)


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
