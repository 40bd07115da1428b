"""An instance's posting limits, read from `GET /api/v2/instance` (fallback `/api/v1/instance`) into
the flat dict stored on ConnectedAccount.platform_settings.

Stored keys: max_characters, max_media_attachments, characters_reserved_per_url, description_limit
(always present: the instance's value, or Mastodon's default when the instance does not say, named
in `limits_fallback`), image_size_limit, video_size_limit, image_matrix_limit, video_matrix_limit,
supported_mime_types (only when the instance says), version, instance_domain, limits_source
("instance_v2", "instance_v1" or "defaults") and limits_read_at.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.utils import timezone

from ..base import AccountDisconnected, PlatformError

# Mastodon's own defaults, used only for what the instance does not announce.
DEFAULTS = {"max_characters": 500, "max_media_attachments": 4, "characters_reserved_per_url": 23, "description_limit": 1500}
MEDIA_KEYS = ("image_size_limit", "video_size_limit", "image_matrix_limit", "video_matrix_limit")


def limits_from_settings(platform_settings: dict | None) -> dict:
    """The limits to validate against: stored values, Mastodon defaults where nothing is stored."""
    stored = platform_settings or {}
    limits = {key: _positive_int(stored.get(key)) or default for key, default in DEFAULTS.items()}
    for key in MEDIA_KEYS:
        limits[key] = _positive_int(stored.get(key))
    mimes = stored.get("supported_mime_types")
    limits["supported_mime_types"] = [str(m) for m in mimes] if isinstance(mimes, (list, tuple)) and mimes else None
    return limits


def read_instance_limits(conn) -> dict:
    """Ask the instance (v2, then v1). A missing endpoint falls through to Mastodon's defaults;
    an unreachable or refusing instance raises the typed error."""
    info, source = None, "defaults"
    for name, method in (("instance_v2", conn.api.instance_v2), ("instance_v1", conn.api.instance_v1)):
        try:
            info = conn.call(method, what="instance information")
        except PlatformError as exc:
            if exc.retryable or isinstance(exc, AccountDisconnected):
                raise
            continue  # 404, old version, or an answer that is not instance information
        if isinstance(info, dict):
            source = name
            break
        info = None
    return limits_from_instance(info or {}, source=source)


def limits_from_instance(info: dict, *, source: str) -> dict:
    configuration = info.get("configuration") or {}
    statuses = configuration.get("statuses") or {}
    media = configuration.get("media_attachments") or {}
    announced = {
        "max_characters": statuses.get("max_characters") or info.get("max_toot_chars"),  # Pleroma/Akkoma v1
        "max_media_attachments": statuses.get("max_media_attachments"),
        "characters_reserved_per_url": statuses.get("characters_reserved_per_url"),
        "description_limit": media.get("description_limit"),
    }
    result, fallback = {}, []
    for key, default in DEFAULTS.items():
        value = _positive_int(announced[key])
        if value is None:
            value = default
            fallback.append(key)
        result[key] = value
    for key in MEDIA_KEYS:
        if (value := _positive_int(media.get(key))) is not None:
            result[key] = value
    mimes = media.get("supported_mime_types")
    if isinstance(mimes, (list, tuple)) and mimes:
        result["supported_mime_types"] = sorted({str(m) for m in mimes})
    result.update(
        version=str(info.get("version") or ""),
        instance_domain=_domain(info.get("domain") or info.get("uri") or ""),
        limits_source=source,
        limits_fallback=fallback,
        limits_read_at=timezone.now().isoformat(),
    )
    return result


def _domain(value) -> str:
    """v2 `domain` is a bare host; v1 `uri` is a host on Mastodon and a URL on some others."""
    text = str(value).strip()
    return urlsplit(text).netloc if "://" in text else text


def _positive_int(value) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None
