"""The moderators' forms: signing in, and turning an event down with a reason."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from .forms import plain_text

REASON_MAX = 500


def _strip(value: str | None) -> str | None:
    """Drop surrounding blanks, so a reason of spaces counts as none."""
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    """A moderator's user name and password."""

    username = StringField(
        _l("User name"),
        # No control characters: a NUL would reach the database, which refuses it.
        validators=[InputRequired(_l("Enter your user name.")), Length(max=64), plain_text()],
        filters=[_strip],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Enter your password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )


class RejectForm(FlaskForm):
    """Why an event is turned down: the organizer is told."""

    reason = TextAreaField(
        _l("Reason (the organizer will read it)"),
        validators=[
            DataRequired(_l("Say why, so the organizer can fix it or understand.")),
            Length(
                max=REASON_MAX,
                message=_l("Keep the reason under %(max)s characters.", max=REASON_MAX),
            ),
            plain_text(multiline=True),
        ],
        filters=[_strip],
    )
