"""Alembic's environment for section 03: which database, and which models to compare.

Alembic runs this file for every command. advanced_migrate.py passes the URL of the database it
works in. From the command line (`alembic upgrade head`, `alembic current`) the
migrations act on a database of their own, <MYSQL_DATABASE>_migrations, created when
missing: the tables that main.py makes with create_all() live in MYSQL_DATABASE and
would clash with revision 0001 ("Table 'user' already exists").
"""

import logging

from alembic import context
from sqlalchemy import NullPool, create_engine

import model
import schema
from settings import create_database, database_url

config = context.config
if "url" not in config.attributes:  # the command line: say each step, as alembic's template does
    logging.basicConfig(format="%(levelname)-5.5s [%(name)s] %(message)s")
    logging.getLogger("alembic").setLevel(logging.INFO)
# What `revision --autogenerate` and `check` compare with: the 02 models and the schema
# of the best-practices chapter.
target_metadata = [model.Base.metadata, schema.Base.metadata]


def command_line_url():
    """The migrations' own database on the configured server, created if missing."""
    return create_database(f"{database_url().database}_migrations")


if context.is_offline_mode():  # `alembic upgrade head --sql`: print the SQL, run nothing
    url = config.attributes.get("url") or database_url(database="offline")
    context.configure(
        url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    # `alembic -x url=sqlite:///try.db upgrade head` tries the revisions on another database.
    url = (
        config.attributes.get("url")
        or context.get_x_argument(as_dictionary=True).get("url")
        or command_line_url()
    )
    with create_engine(url, poolclass=NullPool).connect() as connection:
        # render_as_batch: on SQLite, which cannot ALTER most things, a change is written
        # as "copy the table"; on MySQL the same revision runs as plain ALTERs.
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
