"""Alembic's environment for section 03: which database, and which models to compare.

Alembic runs this file for every command. The URL comes from migrate.py when it
passes one, else from .env (settings.py), as for every other script here.
"""

from alembic import context
from sqlalchemy import NullPool, create_engine

from model import Base
from settings import database_url

config = context.config
target_metadata = Base.metadata  # what `revision --autogenerate` and `check` compare with
url = config.attributes.get("url") or database_url()

if context.is_offline_mode():  # `alembic upgrade head --sql`: print the SQL, run nothing
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    with create_engine(url, poolclass=NullPool).connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
