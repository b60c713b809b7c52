"""eventmap: community celebrations on a map and a calendar, working offline."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask

from .config import Config
from .extensions import csrf, db, init_database, limiter, migrate, warn_if_limits_are_per_process

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build an app: config from the environment, overridden by `test_config` in tests."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_object(Config(Path(app.instance_path)))
    if test_config is not None:
        app.config.from_mapping(test_config)

    if not app.debug and not app.testing:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )

    from .web.bodies import init_request_bodies

    init_request_bodies(app)  # innermost: the app reads bodies through it
    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    from .web.hosts import init_hosts

    init_hosts(app)  # first of the before-request hooks: an untrusted host goes no further

    init_database(app)
    from .versions import attach_reader, watch

    watch(db.session)  # every flush that writes events bumps the data version
    pool = {
        name: value
        for name, value in app.config["SQLALCHEMY_ENGINE_OPTIONS"].items()
        if name in ("pool_size", "max_overflow", "connect_args")
    }
    with app.app_context():
        for engine in db.engines.values():  # the cached pages' version in one round trip
            attach_reader(engine, **pool)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    csrf.init_app(app)
    limiter.init_app(app)
    warn_if_limits_are_per_process(app)

    from . import models  # noqa: F401  (register the tables with the metadata)
    from .cli import register_cli
    from .web.accessibility import bp as accessibility_bp
    from .web.admin import bp as admin_bp
    from .web.api import bp as api_bp
    from .web.assets import bp as assets_bp
    from .web.auth import init_auth
    from .web.calendar import bp as calendar_bp
    from .web.catalogue import bp as catalogue_bp
    from .web.compression import init_compression
    from .web.cors import init_cors
    from .web.errors import init_errors
    from .web.health import bp as health_bp
    from .web.i18n import init_i18n
    from .web.language import bp as language_bp
    from .web.near import bp as near_bp
    from .web.outages import init_outages
    from .web.pages import bp as views_bp
    from .web.params import init_params
    from .web.photos import bp as photos_bp
    from .web.rsvp import bp as rsvp_bp
    from .web.security import init_security
    from .web.share import bp as share_bp
    from .web.submit import bp as submit_bp
    from .web.templating import register_templating

    init_params(app)  # the <id:...> converter, before the routes that use it
    init_compression(app)  # the first after-request hook registered runs last: on the final body
    app.register_blueprint(views_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(assets_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(near_bp)
    app.register_blueprint(submit_bp)
    app.register_blueprint(rsvp_bp)
    app.register_blueprint(photos_bp)
    app.register_blueprint(share_bp)
    app.register_blueprint(accessibility_bp)
    app.register_blueprint(language_bp)
    app.register_blueprint(catalogue_bp)
    init_i18n(app)
    register_templating(app)
    init_auth(app)
    init_security(app)
    init_cors(app)
    init_errors(app)
    init_outages(app)
    register_cli(app)
    return app
