"""Make sure an admin user exists.

With DJANGO_SUPERUSER_USERNAME, DJANGO_SUPERUSER_EMAIL and DJANGO_SUPERUSER_PASSWORD set, that user is
created when missing and left alone (password included) when present. Without them, a superuser
`admin` is created with a generated password only when no superuser exists at all; the credentials
are printed this once, and later runs find the superuser and print nothing secret.
Users are made by accounts.services.user_register, so the admin has a personal workspace too.
"""

import os
import secrets
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import user_register

ENV_NAMES = ("DJANGO_SUPERUSER_USERNAME", "DJANGO_SUPERUSER_EMAIL", "DJANGO_SUPERUSER_PASSWORD")
GENERATED_USERNAME = "admin"
GENERATED_EMAIL = "admin@localhost"


def _validated(*, username, email, password):
    """Raise CommandError listing every problem with these credentials."""
    candidate = User(username=username, email=email)
    problems = []
    try:
        candidate.full_clean(exclude=["password"])
    except ValidationError as exc:
        problems += [f"{field}: {msg}" for field, msgs in exc.message_dict.items() for msg in msgs]
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        problems += [f"password: {msg}" for msg in exc.messages]
    if problems:
        raise CommandError("Cannot create the admin user: " + "; ".join(problems))


@dataclass(frozen=True)
class AdminEnsured:
    """What ensure_admin did: a one-line summary, the admin's username, and its password when it was
    generated just now (the only time it can be shown)."""

    line: str
    username: str | None = None
    password: str | None = None
    from_environment: bool = False


def admin_ensure() -> AdminEnsured:
    """Make sure an admin exists (see the module docstring); `manage.py runall` calls it too."""
    values = {name: os.environ.get(name, "").strip() for name in ENV_NAMES}
    if any(values.values()):
        return _from_environment(*values.values())
    return _generated()


def _from_environment(username, email, password):
    missing = [name for name, value in zip(ENV_NAMES, (username, email, password)) if not value]
    if missing:
        raise CommandError(f"Set all of {', '.join(ENV_NAMES)}; missing: {', '.join(missing)}.")
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        kind = "superuser" if existing.is_superuser else "user (not a superuser; left as it is)"
        return AdminEnsured(f"{kind} '{username}' already exists; nothing changed.", username, from_environment=True)
    _validated(username=username, email=email, password=password)
    user_register(username=username, email=email, password=password, is_staff=True, is_superuser=True)
    return AdminEnsured(f"created superuser '{username}' from DJANGO_SUPERUSER_* (with a personal workspace).", username, from_environment=True)


def _generated():
    superuser = User.objects.filter(is_superuser=True).order_by("id").first()
    if superuser is not None:
        return AdminEnsured(f"superuser '{superuser.username}' exists; nothing to do.", superuser.username)
    username = GENERATED_USERNAME
    if User.objects.filter(username=username).exists():
        username = f"{GENERATED_USERNAME}-{secrets.token_hex(3)}"
    email = GENERATED_EMAIL if not User.objects.filter(email=GENERATED_EMAIL).exists() else f"{username}@localhost"
    password = secrets.token_urlsafe(18)
    _validated(username=username, email=email, password=password)
    user_register(username=username, email=email, password=password, is_staff=True, is_superuser=True)
    line = (
        f"created superuser '{username}' with password '{password}' "
        "(shown only this once; change it at /admin/password_change/)."
    )
    return AdminEnsured(line, username, password)


class Command(BaseCommand):
    help = (
        "Ensure an admin user exists: from DJANGO_SUPERUSER_USERNAME/EMAIL/PASSWORD when set, else a "
        "generated 'admin' (password printed once) when there is no superuser yet."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"ensure_admin: {admin_ensure().line}")
