"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from eventmap.extensions import db


def test_migrated_schema_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_status_constraint_takes_withdrawn_and_refuses_unknown_states(app, make_event):
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    event = make_event()
    with app.app_context():
        db.session.execute(
            text("UPDATE events SET status = 'withdrawn' WHERE id = :id"), {"id": event.id}
        )
        db.session.commit()
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(
                text("UPDATE events SET status = 'bogus' WHERE id = :id"), {"id": event.id}
            )


def test_every_migration_downgrades_and_upgrades_again(tmp_path):
    # The rollback that docs/deploy.md describes: down to nothing, up to the same schema.
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    from eventmap import create_app

    database = f"sqlite:///{tmp_path / 'round-trip.sqlite3'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database})
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert inspect(db.engine).get_table_names() == ["alembic_version"]
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []
        db.engine.dispose()
