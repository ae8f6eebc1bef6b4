"""tenant_session filters SELECTs only: a bulk update() or delete() through it reaches
every organisation's rows."""

from sqlalchemy import event
from sqlalchemy.orm import Session, with_loader_criteria

CAUGHT_BY = "test_bulk_changes"


def tenant_session(engine, org_id):
    session = Session(engine)

    @event.listens_for(session, "do_orm_execute")
    def only_this_tenant(state):
        if state.is_select:
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
