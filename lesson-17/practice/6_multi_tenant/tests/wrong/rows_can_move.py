"""tenant_session filters every query and stamps new rows, but lets a loaded row's
org_id change: `doc.org_id = 2; commit()` hands the document to another organisation."""

from sqlalchemy import event
from sqlalchemy.orm import Session, with_loader_criteria

CAUGHT_BY = "test_rows_cannot_move"


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
            if isinstance(obj, TenantScoped):
                obj.org_id = org_id

    return session
