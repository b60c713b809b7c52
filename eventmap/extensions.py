"""Flask extensions, created unbound so that every app from the factory binds its own."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base shared by every model, so metadata lives in one place."""


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
# Every POST, PUT, PATCH and DELETE needs the form's token; the read-only API has none.
csrf = CSRFProtect()
login_manager = LoginManager()
# Limits are declared on the views that take input from strangers (submission and login);
# storage comes from RATELIMIT_STORAGE_URI: memory by default, Redis for several workers.
limiter = Limiter(key_func=get_remote_address)
