"""Exercise 6, reference solution. Try the starter first: this is one way, not the way."""

from sqlalchemy import event
from sqlalchemy.orm import Session, with_loader_criteria

from tenant_models import (
    TenantScoped,
)


def tenant_session(engine, org_id):
    session = Session(engine)

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
    def stamp_new_rows(session, flush_context, instances):
        for obj in session.new:
            if isinstance(obj, TenantScoped):
                obj.org_id = org_id

    return session
