"""System checks of `manage.py check --deploy` for secrets at rest (registered in SocialMediaConfig.ready).

- scheduler.W001: ENCRYPTION_KEYS is unset, so tokens are encrypted with a key derived from SECRET_KEY
  (rotating SECRET_KEY would make every stored token unreadable).
- scheduler.W002: sampled stored secrets that no key in ENCRYPTION_KEYS decrypts (a key was removed
  before `rotate_encryption_keys` ran); those accounts must be reconnected or the key restored.
- scheduler.W003: sampled stored secrets that only an older key decrypts: run `rotate_encryption_keys`.
- scheduler.W010 (every check, not only --deploy): WEBAPP_REGISTRATION_ENABLED is set; rename it.
- scheduler.E020 / W021 (every check): OUTBOUND_ALLOWED_PRIVATE_ADDRESSES holds something that is not an
  address (config/safe_http.py), or allows a cloud metadata address.
"""

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError


@register(Tags.security, deploy=True)
def check_encryption_keys(app_configs=None, **kwargs):
    from config.encryption import key_health

    warnings = []
    try:
        health = key_health()
    except DatabaseError:  # no database (yet): only the settings can be checked
        health = None
    from django.conf import settings

    if not settings.ENCRYPTION_KEYS:
        warnings.append(Warning(
            "ENCRYPTION_KEYS is not set: tokens are encrypted with a key derived from SECRET_KEY.",
            hint="Generate a key (python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'), "
                 "set ENCRYPTION_KEYS to it and run manage.py rotate_encryption_keys.",
            id="scheduler.W001",
        ))
    if health and health["undecryptable"]:
        warnings.append(Warning(
            "Stored secrets cannot be decrypted with any key in ENCRYPTION_KEYS.",
            hint="Put the key they were encrypted with back into ENCRYPTION_KEYS (after the newest), or reconnect the affected accounts.",
            id="scheduler.W002",
        ))
    if health and health["needs_rotation"]:
        warnings.append(Warning(
            "Stored secrets are encrypted with an older key than the newest in ENCRYPTION_KEYS.",
            hint="Run manage.py rotate_encryption_keys before removing the older key.",
            id="scheduler.W003",
        ))
    return warnings


@register()
def check_deprecated_settings(app_configs=None, **kwargs):
    """scheduler.W010: WEBAPP_REGISTRATION_ENABLED is the old name of REGISTRATION_ENABLED (still read
    while the new one is unset; it now governs the API's registration as well as the web app's)."""
    import os

    if "WEBAPP_REGISTRATION_ENABLED" in os.environ:
        return [Warning(
            "WEBAPP_REGISTRATION_ENABLED is deprecated: it is read as REGISTRATION_ENABLED, which governs both the "
            "web app's /register/ and POST /api/v1/auth/register/.",
            hint="Rename it to REGISTRATION_ENABLED.",
            id="scheduler.W010",
        )]
    return []


METADATA_ADDRESSES = ("169.254.169.254", "fd00:ec2::254")  # AWS/GCP/Azure/OpenStack, and AWS over IPv6


@register()
def check_outbound_allowance(app_configs=None, **kwargs):
    """OUTBOUND_ALLOWED_PRIVATE_ADDRESSES is read at the first request to a user-chosen host; say at
    startup (migrate, runserver, check) if it cannot be, or if it lets users reach the metadata service."""
    import ipaddress

    from django.conf import settings
    from django.core.checks import Error
    from django.core.exceptions import ImproperlyConfigured

    from config.safe_http import allowlist

    try:
        entries = allowlist(settings.OUTBOUND_ALLOWED_PRIVATE_ADDRESSES)
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="scheduler.E020")]
    exposed = [a for a in METADATA_ADDRESSES if any(ipaddress.ip_address(a) in network for network, _low, _high in entries)]
    if exposed:
        return [Warning(
            f"OUTBOUND_ALLOWED_PRIVATE_ADDRESSES allows {', '.join(exposed)}, the cloud metadata service: any user's "
            "Mastodon instance or Bluesky service could then read this server's cloud credentials.",
            hint="List only the addresses (and ports) of the servers you mean, e.g. 10.0.0.5:443.",
            id="scheduler.W021",
        )]
    return []
