"""/healthz says the process is alive; /readyz that the database (and Redis, if used) answer."""

from __future__ import annotations

from eventmap import create_app
from eventmap.extensions import db
from tests.conftest import free_port


def test_alive_and_ready(client):
    alive = client.get("/healthz")
    assert (alive.status_code, alive.get_json()) == (200, {"status": "ok"})
    assert alive.headers["Cache-Control"] == "no-store"
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json() == {"status": "ready", "checks": {"database": "ok"}}


def test_not_ready_without_the_database(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'missing' / 'db.sqlite3'}",
        }
    )
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "unreachable"}
    assert response.headers["Retry-After"] == "10"
    assert app.test_client().get("/healthz").status_code == 200  # alive all the same
    with app.app_context():
        db.engine.dispose()


def test_not_ready_when_the_rate_limit_redis_is_down(app):
    app.config["RATELIMIT_STORAGE_URI"] = f"redis://127.0.0.1:{free_port()}/0"
    fresh = create_app({**app.config, "TESTING": True})
    response = fresh.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {
        "database": "ok",
        "rate_limit_storage": "unreachable",
    }
    with fresh.app_context():
        db.engine.dispose()
