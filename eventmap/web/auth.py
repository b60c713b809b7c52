"""Moderator sign-in: passwords checked by hash, and sessions kept on the server.

Design: each sign-in stores a row in moderator_sessions holding the SHA-256 hash of a random id,
and Flask-Login keeps only that id in the signed cookie (as its "alternative id"), so deleting
the row (sign-out, a new password, idle or absolute expiry) makes every copy of the cookie
anonymous.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app
from flask_babel import gettext
from flask_login import login_user, logout_user
from sqlalchemy import not_, select
from werkzeug.security import check_password_hash, generate_password_hash

from .. import operations
from ..extensions import db, login_manager
from ..i18n_messages import N_
from ..models import Admin, ModeratorSession, utcnow
from ..submissions import hash_token

# Checked when the user name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a real password")
# A session's last use is written when older than this, so most requests write nothing; idle
# expiry is therefore exact to within this much.
TOUCH_EVERY = timedelta(minutes=1)
# Passed to login_user: a stolen laptop should not stay signed in for a year.
REMEMBER = False


@dataclass(frozen=True)
class Moderator:
    """A moderator signed in through one server-side session: Flask-Login's user object."""

    admin: Admin
    token: str

    is_authenticated = True
    is_active = True
    is_anonymous = False

    @property
    def username(self) -> str:
        """Return the moderator's name, for pages and the audit trail."""
        return self.admin.username

    def get_id(self) -> str:
        """Return what Flask-Login keeps in the cookie: the session's random id, not the admin's."""
        return self.token


def authenticate(username: str, password: str) -> Admin | None:
    """Return the moderator whose name and password these are, or None."""
    admin = db.session.scalar(Admin.by_username(username.strip()))
    if admin is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return admin if check_password_hash(admin.password_hash, password) else None


def session_limits() -> tuple[timedelta, timedelta]:
    """Return how long a session may sit unused, and how long it may last at all."""
    config = current_app.config
    return (
        timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
        timedelta(hours=config["SESSION_LIFETIME_HOURS"]),
    )


def sign_in(admin: Admin) -> None:
    """Open a new server-side session for this moderator and put its id in the cookie."""
    operations.end_expired_sessions(utcnow(), *session_limits())
    token = operations.start_session(admin)
    login_user(Moderator(admin, token), remember=REMEMBER)


def _aware(moment: datetime) -> datetime:
    """Return a stored timestamp as aware UTC (SQLite hands back naive UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def load_moderator(token: str) -> Moderator | None:
    """Return the moderator whose live session this cookie names, or None."""
    if not token or len(token) > 100:
        return None
    now = utcnow()
    row = db.session.scalar(
        select(ModeratorSession).where(
            ModeratorSession.token_hash == hash_token(token),
            not_(ModeratorSession.expired(now, *session_limits())),
        )
    )
    if row is None:
        return None
    admin = row.admin  # before the touch's commit expires the row, which may then be gone
    if now - _aware(row.last_seen_at) >= TOUCH_EVERY:
        operations.touch_session(row, now)
    return Moderator(admin, token)


def sign_out(moderator: Moderator) -> None:
    """End this moderator's session on the server, then forget it in this browser."""
    operations.end_session(moderator.token)
    logout_user()


def init_auth(app: Flask) -> None:
    """Bind Flask-Login to the app: cookies name server-side sessions of moderators."""
    login_manager.init_app(app)
    login_manager.login_view = "admin.login"
    # Flashed through gettext, in the language of the visitor sent to sign in.
    login_manager.login_message = N_("Please sign in to moderate.").msgid
    login_manager.localize_callback = gettext
    # "basic" marks a session from a new address non-fresh; "strong" would also write a
    # cookie-clearing header on anonymous requests.
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_moderator)
    # Flask refuses a signed cookie older than this, so it never outlives the session it names.
    app.permanent_session_lifetime = timedelta(hours=app.config["SESSION_LIFETIME_HOURS"])
