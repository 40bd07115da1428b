"""What this server can connect: every registered network, whether its app credentials are set, how it
connects and its content limits. Driven only by the registry and three adapter attributes
(`required_settings`, `connect_style`, `content_limits`; social_media/platforms/base.py), so a new
adapter appears here by being registered.
"""

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException

from social_media.platforms import PLATFORMS, PlatformFactory


class NetworkNotConfigured(APIException):
    """Connecting needs app credentials this server does not have. Names the settings, never values."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE  # the server, not the request, lacks something
    default_code = "network_not_configured"

    def __init__(self, *, platform, missing):
        label = PLATFORMS[platform][0]
        super().__init__(f"{label} is not configured on this server: set {', '.join(missing)} (see docs/configuration.md).")
        self.extra = {"missing_settings": list(missing)}


def is_enabled(platform) -> bool:
    return getattr(settings, f"{platform.upper()}_ENABLED", True)


def missing_settings(platform) -> list[str]:
    """Names of the adapter's required settings that are unset or empty here."""
    adapter = PlatformFactory.adapter_class(platform)
    return [name for name in adapter.required_settings if not getattr(settings, name, "")]


def require_configured(platform):
    """Raise NetworkNotConfigured when the network's app credentials are missing."""
    missing = missing_settings(platform)
    if missing:
        raise NetworkNotConfigured(platform=platform, missing=missing)


def platform_catalog() -> list[dict]:
    """One entry per registered network, in registry order."""
    catalog = []
    for key, (label, _path) in PLATFORMS.items():
        adapter = PlatformFactory.adapter_class(key)
        missing = missing_settings(key)
        catalog.append({
            "key": key,
            "label": label,
            "enabled": is_enabled(key),
            "configured": not missing,
            "missing_settings": missing,
            "connect_style": adapter.connect_style,
            "content_limits": dict(adapter.content_limits),
        })
    return catalog
