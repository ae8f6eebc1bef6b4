"""Exercise 6, a multi-tenant application on MySQL: one organisation never sees another's rows.

Write tenant_session(); the models are given. Every query made through the session it
returns, including relationship loads, session.get() and bulk UPDATE or DELETE, must
see only the rows of one organisation (hint: with_loader_criteria in a
do_orm_execute event). New rows get that organisation's id; a row added, changed or
inserted (insert()) with another organisation's id is refused (raise PermissionError).
Check your work with `make check EXERCISE=6`.
"""

# The given models (see tenant_models.py), for your functions to use.
from tenant_models import Base, Document, Member, Organisation, TenantScoped


def tenant_session(engine, org_id):
    """A Session bound to engine that only ever reads, changes or adds rows of org_id;
    writing another organisation's id raises PermissionError."""
    raise NotImplementedError
