"""Flask extensions, created unbound so that every app from the factory binds its own."""

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base shared by every model, so metadata lives in one place."""


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
