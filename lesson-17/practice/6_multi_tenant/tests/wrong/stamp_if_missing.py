"""tenant_session stamps a new row only when its org_id is missing: a row that names
another organisation is written into that organisation."""

from sqlalchemy import event
from sqlalchemy.orm import Session, with_loader_criteria

CAUGHT_BY = "test_new_rows"


def tenant_session(engine, org_id):
    session = Session(engine)

    @event.listens_for(session, "do_orm_execute")
    def only_this_tenant(state):
        if state.is_select or state.is_update or state.is_delete:
            state.statement = state.statement.options(
                with_loader_criteria(
                    TenantScoped, lambda cls: cls.org_id == org_id, include_aliases=True
                )
            )

    @event.listens_for(session, "before_flush")
    def stamp(session, flush_context, instances):
        for obj in session.new:
            if isinstance(obj, TenantScoped) and obj.org_id is None:
                obj.org_id = org_id

    return session
