"""tenant_session stamps and checks new and changed rows when the session commits, not
before each flush: a query between add() and commit() flushes the row unchecked."""

from sqlalchemy import event
from sqlalchemy.orm import Session, with_loader_criteria

CAUGHT_BY = "test_a_write_is_checked_before_any_query_flushes_it"


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
            written = values_set(state.statement)  # noqa: F821 (solution.py's)
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

    @event.listens_for(session, "before_commit")
    def stamp_and_guard(session):
        for obj in session.new:  # new rows get our org_id; naming another is refused
            if isinstance(obj, TenantScoped):
                if obj.org_id is None:
                    obj.org_id = org_id
                refuse_another({"org_id": obj.org_id}, "add rows to")
        for obj in session.dirty:  # a loaded row cannot be moved to another organisation
            if isinstance(obj, TenantScoped):
                refuse_another({"org_id": obj.org_id}, "move rows to")

    return session
