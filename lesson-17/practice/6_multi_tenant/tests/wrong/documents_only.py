"""tenant_session filters the Document class only, not every TenantScoped one: members
of other organisations show up."""

from sqlalchemy import event
from sqlalchemy.orm import Session, with_loader_criteria

CAUGHT_BY = "test_queries"


def tenant_session(engine, org_id):
    session = Session(engine)

    @event.listens_for(session, "do_orm_execute")
    def only_this_tenant(state):
        if state.is_select or state.is_update or state.is_delete:
            state.statement = state.statement.options(
                with_loader_criteria(Document, Document.org_id == org_id)
            )

    @event.listens_for(session, "before_flush")
    def stamp(session, flush_context, instances):
        for obj in session.new:
            if isinstance(obj, TenantScoped):
                obj.org_id = org_id

    return session
