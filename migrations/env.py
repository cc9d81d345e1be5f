"""Alembic environment: the project's models, SQLite batch mode, APScheduler's table and views ignored."""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import create_engine, pool

from tracker.store.db import SCHEDULER_TABLE
from tracker.store.models import Base
from tracker.store.views import VIEW_NAMES

config = context.config
if config.config_file_name is not None and not config.attributes.get("tracker_url"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _url() -> str:
    x_args = context.get_x_argument(as_dictionary=True)
    if x_args.get("url"):
        return str(x_args["url"])
    if config.attributes.get("tracker_url"):
        return str(config.attributes["tracker_url"])
    from tracker.config import load_settings

    return load_settings().database_url()


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Leave APScheduler's job table and the project's views out of autogenerate and `alembic check`."""
    return not (type_ == "table" and name in {SCHEDULER_TABLE, *VIEW_NAMES})


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_object=include_object,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        engine = create_engine(_url(), poolclass=pool.NullPool)
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connectable)


def _run(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
