"""`flask create-admin`: moderator accounts from the command line, passwords stored hashed."""

from __future__ import annotations

from sqlalchemy import select

from eventmap.extensions import db
from eventmap.models import Admin, AuditEntry
from eventmap.web.auth import authenticate

GOOD = "correct horse battery"


def admins(app) -> list[Admin]:
    with app.app_context():
        return db.session.scalars(select(Admin)).all()


def test_create_admin_asks_twice_with_hidden_input_and_stores_a_hash(app, runner):
    result = runner.invoke(args=["create-admin", "eve"], input=f"{GOOD}\n{GOOD}\n")

    assert result.exit_code == 0, result.output
    assert "Created moderator eve" in result.output
    assert "Repeat the password" in result.output
    assert GOOD not in result.output  # hidden input is not echoed
    [admin] = admins(app)
    assert admin.username == "eve"
    assert GOOD not in admin.password_hash
    assert admin.password_hash.startswith(("scrypt:", "pbkdf2:"))
    with app.app_context():
        assert authenticate("eve", GOOD) is not None
        assert authenticate("eve", GOOD + "!") is None
        [entry] = db.session.scalars(AuditEntry.newest()).all()
        assert (entry.actor, entry.action, entry.details) == (
            "cli",
            "admin-created",
            {"username": "eve"},
        )


def test_create_admin_refuses_two_different_entries(app, runner):
    result = runner.invoke(args=["create-admin", "eve"], input=f"{GOOD}\n{GOOD}x\n")

    assert result.exit_code != 0
    assert "do not match" in result.output
    assert admins(app) == []


def test_create_admin_refuses_a_weak_password_with_the_reason(app, runner):
    result = runner.invoke(args=["create-admin", "eve"], input="short\nshort\n")

    assert result.exit_code == 1
    assert "must be at least 12 characters long" in result.output
    assert "nothing was changed" in result.output
    assert admins(app) == []


def test_create_admin_reads_the_password_from_stdin_for_scripts(app, runner):
    result = runner.invoke(args=["create-admin", "eve", "--password-stdin"], input=f"{GOOD}\n")

    assert result.exit_code == 0, result.output
    assert "Password" not in result.output  # no prompt
    with app.app_context():
        assert authenticate("eve", GOOD) is not None


def test_create_admin_with_stdin_refuses_a_weak_password(app, runner):
    result = runner.invoke(args=["create-admin", "eve", "--password-stdin"], input="\n")

    assert result.exit_code == 1
    assert "at least 12 characters" in result.output
    assert admins(app) == []


def test_create_admin_twice_updates_the_password_and_says_so(app, runner):
    runner.invoke(args=["create-admin", "eve", "--password-stdin"], input=f"{GOOD}\n")
    result = runner.invoke(
        args=["create-admin", "eve", "--password-stdin"], input="another long secret\n"
    )

    assert result.exit_code == 0, result.output
    assert "Updated the password of moderator eve" in result.output
    assert len(admins(app)) == 1
    with app.app_context():
        assert authenticate("eve", GOOD) is None
        assert authenticate("eve", "another long secret") is not None
        actions = [e.action for e in db.session.scalars(AuditEntry.newest())]
        assert actions == ["admin-password-changed", "admin-created"]


def test_create_admin_refuses_odd_user_names(app, runner):
    for name in ("", "has space", "-dash", "x" * 65, "<b>"):
        result = runner.invoke(args=["create-admin", name, "--password-stdin"], input=f"{GOOD}\n")
        assert result.exit_code == 2, (name, result.output)
        assert "USERNAME" in result.output
    assert admins(app) == []
