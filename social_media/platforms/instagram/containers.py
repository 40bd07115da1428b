"""Instagram's container flow: the publishing quota, container creation (image, reel, carousel with
`is_carousel_item` children), status polling (IN_PROGRESS → FINISHED; ERROR/EXPIRED fail with Meta's
words) and `media_publish`. Meta downloads every image_url/video_url itself, so each must be public.
"""

from __future__ import annotations

import time
from datetime import datetime

from django.conf import settings

from social_media.platforms.base import InvalidContent, MediaItem, RateLimited, TransientError
from social_media.platforms.meta.errors import PUBLISHING_LIMIT_SUBCODE

FINISHED, IN_PROGRESS, PUBLISHED, ERROR, EXPIRED = "FINISHED", "IN_PROGRESS", "PUBLISHED", "ERROR", "EXPIRED"
FALLBACK_QUOTA_WAIT = 3600.0


def check_quota(graph, ig_user_id: str) -> dict:
    """Read content_publishing_limit; an exhausted quota is RateLimited until its oldest post leaves
    the rolling window. Returns {"quota_usage", "quota_total", "quota_duration"}."""
    limit = _limit(graph, ig_user_id)
    usage, total, duration = limit["quota_usage"], limit["quota_total"], limit["quota_duration"]
    if total and usage >= total:
        wait = _window_frees_in(graph, ig_user_id, total, duration)
        raise RateLimited(f"This Instagram account used its {total} posts per {duration // 3600} hours; publishing when a slot frees.",
                          retry_after=wait, http_status=None)
    return {"quota_usage": usage, "quota_total": total, "quota_duration": duration}


def _limit(graph, ig_user_id: str) -> dict:
    """GET /{ig-user-id}/content_publishing_limit → {"data": [{"quota_usage", "config": {"quota_total",
    "quota_duration"}}]} (python-facebook testdata instagram/apidata/publish/publish_limit_resp.json)."""
    data = (graph.get(f"/{ig_user_id}/content_publishing_limit", fields="quota_usage,config").get("data") or [{}])[0]
    config = data.get("config") or {}
    return {"quota_usage": int(data.get("quota_usage") or 0), "quota_total": int(config.get("quota_total") or 0),
            "quota_duration": int(config.get("quota_duration") or 86400)}


def _window_frees_in(graph, ig_user_id: str, total: int, duration: int) -> float:
    media = graph.get(f"/{ig_user_id}/media", fields="timestamp", limit=total).get("data") or []
    now = time.time()
    stamps = [epoch(item.get("timestamp")) for item in media]
    recent = sorted(stamp for stamp in stamps if stamp and now - stamp < duration)
    return max(60.0, recent[0] + duration - now) if recent else FALLBACK_QUOTA_WAIT


def epoch(value) -> float | None:
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z").timestamp()
    except (TypeError, ValueError):
        return None


def status(graph, container_id: str) -> tuple[str, str]:
    answer = graph.get(f"/{container_id}", fields="status_code,status")
    return answer.get("status_code", ""), answer.get("status", "")


def create(graph, ig_user_id: str, caption: str, media: list[MediaItem], urls: list[str]) -> str:
    """The container to publish: one image, one reel, or a carousel whose children are ready."""
    if len(media) == 1:
        return _item(graph, ig_user_id, media[0], urls[0], caption=caption)
    children = [_item(graph, ig_user_id, item, url, carousel=True) for item, url in zip(media, urls)]
    for child in children:
        wait_until_finished(graph, child)
    answer = graph.post(f"/{ig_user_id}/media", data={"media_type": "CAROUSEL", "children": ",".join(children), "caption": caption},
                        what="carousel")
    return str(answer["id"])


def _item(graph, ig_user_id: str, item: MediaItem, url: str, *, caption: str | None = None, carousel: bool = False) -> str:
    if item.media_type == "video":
        data = {"media_type": "VIDEO" if carousel else "REELS", "video_url": url}
    else:
        data = {"image_url": url}
    if carousel:
        data["is_carousel_item"] = "true"
    if caption is not None:
        data["caption"] = caption
    return str(graph.post(f"/{ig_user_id}/media", data=data, what="media container")["id"])


def wait_until_finished(graph, container_id: str) -> None:
    """Poll until FINISHED. ERROR/EXPIRED → InvalidContent with Meta's message; still processing
    after META_CONTAINER_MAX_WAIT_SECONDS → TransientError (a retry resumes this container)."""
    deadline = time.monotonic() + settings.META_CONTAINER_MAX_WAIT_SECONDS
    while True:
        code, message = status(graph, container_id)
        if code in (FINISHED, PUBLISHED):
            return
        if code in (ERROR, EXPIRED):
            detail = message or ("the media container expired" if code == EXPIRED else "the media could not be processed")
            raise InvalidContent(f"Instagram could not use the media: {detail}.")
        if time.monotonic() >= deadline:
            raise TransientError("Instagram is still processing the media; will check again.")
        time.sleep(settings.META_CONTAINER_POLL_SECONDS)


def publish(graph, ig_user_id: str, container_id: str) -> str:
    """media_publish. Refused for the daily publishing limit (9/2207042: the quota read just before can
    lag behind, or another app used the account's posts): RateLimited until the window frees a slot,
    read from content_publishing_limit and the account's recent posts."""
    try:
        answer = graph.post(f"/{ig_user_id}/media_publish", data={"creation_id": container_id}, creates_post=True)
    except RateLimited as exc:
        if getattr(exc, "meta_subcode", None) != PUBLISHING_LIMIT_SUBCODE:
            raise
        limit = _limit(graph, ig_user_id)
        total, duration = limit["quota_total"] or limit["quota_usage"] or 1, limit["quota_duration"]
        refused = RateLimited(f"{exc.message} Publishing when a slot frees.", retry_after=_window_frees_in(graph, ig_user_id, total, duration),
                              http_status=exc.http_status)
        refused.meta_code, refused.meta_subcode = exc.meta_code, exc.meta_subcode
        raise refused from None
    return str(answer.get("id") or "")
