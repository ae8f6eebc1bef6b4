"""Exercise 6, reference solution. Try the starter first: this is one way, not the way."""

from sqlalchemy import ForeignKey, ForeignKeyConstraint, Index, String, UniqueConstraint, event
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
    with_loader_criteria,
)


class Base(DeclarativeBase):
    pass


class Organisation(Base):
    __tablename__ = "tenant_organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)


class TenantScoped:
    """Every row of these tables belongs to one organisation that exists: Mapped[int]
    (not int | None) makes org_id NOT NULL, and the foreign key makes it an organisation."""

    org_id: Mapped[int] = mapped_column(ForeignKey("tenant_organisation.id"))


class Member(TenantScoped, Base):
    __tablename__ = "tenant_member"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(50))
    documents: Mapped[list["Document"]] = relationship(back_populates="owner")

    __table_args__ = (
        # An email once per organisation. It starts with org_id, so it is also the index
        # that finds a member by organisation and email.
        UniqueConstraint("org_id", "email"),
        # What a document's (org_id, owner_id) refers to: a member of that organisation.
        UniqueConstraint("org_id", "id"),
    )


class Document(TenantScoped, Base):
    __tablename__ = "tenant_document"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    owner_id: Mapped[int] = mapped_column()
    owner: Mapped[Member] = relationship(back_populates="documents")

    __table_args__ = (
        # The owner is a member of the document's own organisation: both columns are
        # checked together, so no document can point across organisations.
        ForeignKeyConstraint(["org_id", "owner_id"], ["tenant_member.org_id", "tenant_member.id"]),
        # One organisation's documents in title order, read straight from the index.
        Index("ix_tenant_document_org_id_title", "org_id", "title"),
    )


# --- Stretch goal: a session that only ever sees and writes one organisation's rows ---


def values_set(statement):
    """What .values() sets on an insert() or update(): {column name: value}."""
    try:
        return statement.compile().params
    except KeyError:  # an ORM insert() without .values() (its rows come as parameters)
        return {}  # compiles only as it is executed: there is nothing set to check


def tenant_session(engine, org_id):
    session = Session(engine)

    def refuse_another(values, doing):
        other = values.get("org_id", org_id)
        if other != org_id:
            raise PermissionError(f"organisation {org_id} cannot {doing} organisation {other}")

    @event.listens_for(session, "do_orm_execute")
    def only_this_tenant(state):
        if state.is_insert or state.is_update:  # insert() and update() write no other org_id
            rows = state.parameters if isinstance(state.parameters, list) else [state.parameters]
            written = values_set(state.statement)
            for values in (written, *(row or {} for row in rows)):
                refuse_another(values, "write rows of")
            if state.is_insert and "org_id" not in written:  # a new row gets our org_id
                stamped = [{**(row or {}), "org_id": org_id} for row in rows]
                state.parameters = stamped if isinstance(state.parameters, list) else stamped[0]
        # Every SELECT, relationship load, get(), UPDATE and DELETE gets the criterion.
        if state.is_select or state.is_update or state.is_delete:
            state.statement = state.statement.options(
                with_loader_criteria(
                    TenantScoped, lambda cls: cls.org_id == org_id, include_aliases=True
                )
            )

    @event.listens_for(session, "before_flush")
    def stamp_and_guard(session, flush_context, instances):
        for obj in session.new:  # new rows get our org_id; naming another is refused
            if isinstance(obj, TenantScoped):
                if obj.org_id is None:
                    obj.org_id = org_id
                refuse_another({"org_id": obj.org_id}, "add rows to")
        for obj in session.dirty:  # a loaded row cannot be moved to another organisation
            if isinstance(obj, TenantScoped):
                refuse_another({"org_id": obj.org_id}, "move rows to")

    return session
