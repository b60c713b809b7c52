"""Moderator sign-in: Flask-Login sessions over the admins table, passwords checked by hash."""

from __future__ import annotations

from flask import Flask
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db, login_manager
from .models import Admin

# Checked when the user name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a real password")
MIN_PASSWORD_LENGTH = 12


def authenticate(username: str, password: str) -> Admin | None:
    """Return the moderator whose name and password these are, or None."""
    admin = db.session.scalar(Admin.by_username(username.strip()))
    if admin is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return admin if check_password_hash(admin.password_hash, password) else None


def password_problem(password: str) -> str | None:
    """Say what is wrong with a new moderator password, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters long"
    if len(password) > 200:
        return "must be at most 200 characters long"
    return None


def init_auth(app: Flask) -> None:
    """Bind Flask-Login to the app: sessions load moderators from the database."""
    login_manager.init_app(app)
    login_manager.login_view = "admin.login"
    login_manager.login_message = "Please sign in to moderate."
    # "basic" marks a session from a new address non-fresh; "strong" would also write a
    # cookie-clearing header on anonymous requests.
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load(user_id: str) -> Admin | None:
        return db.session.get(Admin, int(user_id)) if user_id.isdigit() else None
