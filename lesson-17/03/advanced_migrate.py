#!/usr/bin/env python3
"""Schema migrations with Alembic: upgrade, compare models with the database, downgrade.

Run:   cd lesson-17/03 && python3 advanced_migrate.py
Needs: MySQL (`make services` from the repository root).
Works in its own database, <MYSQL_DATABASE>_migrations, which it drops and recreates.
The same migrations from the command line: `alembic upgrade head`, `alembic current`.
Revision 0001 makes the 02 tables (model.py); 0002, a schema change on top of it, makes
the best-practices `users` table of schema.py, with its constraints and indexes; 0003
drops an index 0002 made twice.
"""

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import NullPool, create_engine, inspect

import model
import schema
from settings import create_database, database_url

HERE = Path(__file__).parent


def alembic_config(url):
    config = Config(HERE / "alembic.ini")
    config.attributes["url"] = url  # migrations/env.py connects here
    return config


def state(engine):
    """The revision the database is at, and its tables."""
    with engine.connect() as conn:
        revision = MigrationContext.configure(conn).get_current_revision()
    tables = sorted(inspect(engine).get_table_names())
    return f"revision {revision}, tables: {', '.join(tables) or '(none)'}"


def pending_changes(engine):
    """What `alembic revision --autogenerate` would write: the models vs. the database."""
    models = [model.Base.metadata, schema.Base.metadata]
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), models)
    return sorted(f"{diff[0]} {diff[1].name}" for diff in diffs) or ["nothing"]


def main():
    scratch = f"{database_url().database}_migrations"
    url = create_database(scratch, fresh=True)
    engine = create_engine(url, poolclass=NullPool)
    config = alembic_config(url)

    print(f"New database {scratch}: {state(engine)}")
    # [start:alembic]
    command.upgrade(config, "0001")
    print(f"After upgrade 0001: {state(engine)}")
    # The models have moved on since 0001: what 0002 and 0003 bring, seen by autogenerate.
    print("Autogenerate would add:")
    for change in pending_changes(engine):
        print(f"  {change}")
    command.upgrade(config, "head")
    print(f"After upgrade head: {state(engine)}")
    command.check(config)  # prints its verdict; raises if the models and database differ
    command.downgrade(config, "-1")
    print(f"After downgrade -1: {state(engine)}")
    command.downgrade(config, "base")
    # [end:alembic]
    print(f"After downgrade base: {state(engine)}")
    command.upgrade(config, "head")
    print(f"After upgrade head: {state(engine)}")


if __name__ == "__main__":
    main()
