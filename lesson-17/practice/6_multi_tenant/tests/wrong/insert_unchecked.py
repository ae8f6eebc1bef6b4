"""tenant_session guards the session's own rows (queries, flushes) but not insert():
`session.execute(insert(Document).values(org_id=2, ...))` writes into another organisation."""

from sqlalchemy import event
from sqlalchemy.orm import Session, with_loader_criteria

CAUGHT_BY = "test_orm_insert"


def tenant_session(engine, org_id):
    session = Session(engine)

    def refuse_another(values, doing):
        other = values.get("org_id", org_id)
        if other != org_id:
            raise PermissionError(f"organisation {org_id} cannot {doing} organisation {other}")

    @event.listens_for(session, "do_orm_execute")
    def only_this_tenant(state):
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
