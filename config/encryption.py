"""Secrets at rest: a model field that stores Fernet ciphertext and decrypts on read.

Keys come from settings.ENCRYPTION_KEYS (newest first). MultiFernet encrypts with the first key and
decrypts with any of them, so adding a new key in front rotates without downtime;
`manage.py rotate_encryption_keys` then re-encrypts every stored secret with the new key.
A value no key can decrypt raises `UndecryptableSecret` instead of leaking ciphertext to callers.
"""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models
from django.db.models.functions import Cast

PREFIX = "enc1:"


class UndecryptableSecret(Exception):
    """A stored secret could not be decrypted with any configured key."""


def _derived_key():
    digest = hashlib.sha256(("field-encryption:" + settings.SECRET_KEY).encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


@lru_cache(maxsize=8)
def _fernet_for(keys):
    return MultiFernet([Fernet(k.encode()) for k in keys])


def fernet():
    keys = tuple(settings.ENCRYPTION_KEYS) or (_derived_key(),)
    return _fernet_for(keys)


def encrypt(value: str) -> str:
    return PREFIX + fernet().encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise UndecryptableSecret("Stored secret is not in the encrypted format.")
    try:
        return fernet().decrypt(stored[len(PREFIX):].encode()).decode()
    except InvalidToken as exc:
        raise UndecryptableSecret(
            "A stored secret cannot be decrypted with any key in ENCRYPTION_KEYS; "
            "was a key removed before rotate_encryption_keys ran?"
        ) from exc


def rotate(stored: str) -> str:
    """Re-encrypt a stored value under the newest key."""
    if not stored.startswith(PREFIX):
        raise UndecryptableSecret("Stored secret is not in the encrypted format.")
    try:
        return PREFIX + fernet().rotate(stored[len(PREFIX):].encode()).decode()
    except InvalidToken as exc:
        raise UndecryptableSecret("A stored secret cannot be decrypted with any configured key.") from exc


class EncryptedTextField(models.TextField):
    """Text stored encrypted. Empty string stays empty (so 'no token' is visible without decrypting)."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


def encrypted_fields():
    """Every (model, field) pair that holds an EncryptedTextField."""
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field


# --- Key health: is every stored secret readable with the newest key? ------------------------------
KEY_HEALTH_SAMPLE = 20  # newest non-empty values read per encrypted column: cheap, and catches a lost key


def newest_key_fernet():
    keys = tuple(settings.ENCRYPTION_KEYS) or (_derived_key(),)
    return Fernet(keys[0].encode())


def key_health(sample=KEY_HEALTH_SAMPLE):
    """{"keys_configured": bool, "undecryptable": n, "needs_rotation": n} over a sample of the newest
    stored secrets of every encrypted column. Reads the raw column (no decryption on load), so it
    never raises for a bad value; `undecryptable` counts values no configured key opens,
    `needs_rotation` values only an older key opens (run rotate_encryption_keys)."""
    newest, every = newest_key_fernet(), fernet()
    undecryptable = needs_rotation = 0
    for model, field in encrypted_fields():
        raw = (
            model._default_manager.exclude(**{field.name: ""}).exclude(**{f"{field.name}__isnull": True})
            .order_by("-pk").annotate(_raw=Cast(field.name, models.TextField()))
            .values_list("_raw", flat=True)[:sample]
        )
        for stored in raw:
            token = stored[len(PREFIX):].encode() if stored.startswith(PREFIX) else None
            if token is None:
                undecryptable += 1
                continue
            try:
                newest.decrypt(token)
            except InvalidToken:
                try:
                    every.decrypt(token)
                    needs_rotation += 1
                except InvalidToken:
                    undecryptable += 1
    return {"keys_configured": bool(settings.ENCRYPTION_KEYS), "undecryptable": undecryptable, "needs_rotation": needs_rotation}
