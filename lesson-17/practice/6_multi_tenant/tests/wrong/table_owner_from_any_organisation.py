"""The document's owner_id keeps its foreign key to tenant_member.id alone: MySQL checks
that the member exists, not that it is in the document's organisation."""

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

CAUGHT_BY = "test_a_documents_owner_is_in_its_organisation"


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
    email: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(50))
    documents: Mapped[list["Document"]] = relationship(back_populates="owner")
    __table_args__ = (UniqueConstraint("org_id", "email"), UniqueConstraint("org_id", "id"))


class Document(TenantScoped, Base):
    __tablename__ = "tenant_document"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    owner_id: Mapped[int] = mapped_column(ForeignKey("tenant_member.id"))
    owner: Mapped[Member] = relationship(back_populates="documents")
    __table_args__ = (Index("ix_tenant_document_org_id_title", "org_id", "title"),)
