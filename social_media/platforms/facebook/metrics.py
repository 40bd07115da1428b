"""Reading a Facebook Page post's figures. Each Graph node type is asked only for the fields it has:
Graph refuses the whole call with (#100) "Tried accessing nonexisting field" for any other.

- A feed or photo post (id "{page-id}_{post-id}", a Post node): `reactions` and `comments` summaries
  and `shares`, then the Page insights `post_media_view` (views: how many times the post was on screen
  or played, repeats counted) and `post_total_media_view_unique` (viewers: how many people saw it, the
  reach-like figure). These replaced `post_impressions` / `post_impressions_unique`, which Meta made
  invalid for every API version on 2025-11-15 (Pages API changelog, "Page Insights API Updates").
- A video (a bare id from /{page-id}/videos, a Video node, which has no `shares` and no `reactions`:
  facebook-python-business-sdk adobjects/advideo.py): the `likes` and `comments` summaries, then
  /video_insights `total_video_views` (3-second or complete plays) and `total_video_views_unique`.

Insights need read_insights and a Page with enough followers; without them the counts still come
back (impressions 0, Meta's reason in raw["insights_error"]). A refusal of the counts themselves (the
post is gone, a field Meta does not have) is raised as Meta's typed error for the caller to record:
InvalidContent and PlatformError do not fix themselves on retry.
"""

from __future__ import annotations

import logging

from social_media.platforms.base import Metrics, PlatformError

logger = logging.getLogger(__name__)

POST_FIELDS = "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),shares"
VIDEO_FIELDS = "likes.summary(total_count).limit(0),comments.summary(total_count).limit(0)"
POST_METRICS = ("post_media_view", "post_total_media_view_unique")
VIDEO_METRICS = ("total_video_views", "total_video_views_unique")


def is_video(platform_post_id: str) -> bool:
    """Our post ids: Page posts are "{page-id}_{post-id}"; a Page video upload answers the video's own id."""
    return "_" not in platform_post_id


def read(graph, platform_post_id: str) -> Metrics:
    if is_video(platform_post_id):
        counts = graph.get(f"/{platform_post_id}", fields=VIDEO_FIELDS, what="video")
        likes, shares = _total(counts, "likes"), 0
        insights, refused = _insights(graph, f"/{platform_post_id}/video_insights", VIDEO_METRICS)
        views, viewers = insights.get("total_video_views", 0), insights.get("total_video_views_unique", 0)
    else:
        counts = graph.get(f"/{platform_post_id}", fields=POST_FIELDS, what="post")
        likes, shares = _total(counts, "reactions"), int((counts.get("shares") or {}).get("count") or 0)
        insights, refused = _insights(graph, f"/{platform_post_id}/insights", POST_METRICS)
        views, viewers = insights.get("post_media_view", 0), insights.get("post_total_media_view_unique", 0)
    comments = _total(counts, "comments")
    raw = {"likes" if is_video(platform_post_id) else "reactions": likes, "comments": comments, "shares": shares,
           "views": views, "viewers": viewers}
    if refused:
        raw["insights_error"] = refused
    return Metrics(likes=likes, replies=comments, reposts=shares, impressions=views, raw=raw)


def _total(answer: dict, edge: str) -> int:
    return int(((answer.get(edge) or {}).get("summary") or {}).get("total_count") or 0)


def _insights(graph, path: str, metrics: tuple[str, ...]) -> tuple[dict[str, int], str]:
    """({metric: lifetime value}, why there are none). Meta refuses insights for some Pages (no
    read_insights, too few followers) while the counts stay readable, so a refusal costs only these
    figures; its reason is kept in the reading's raw figures (`insights_error`), never dropped."""
    try:
        data = graph.get(path, metric=",".join(metrics), what="insights").get("data") or []
    except PlatformError as exc:
        logger.info("Facebook insights %s refused: %s", path.rsplit("/", 1)[-1], exc.message)
        return {}, exc.message
    values = {}
    for row in data:
        value = ((row.get("values") or [{}])[-1]).get("value")
        values[row.get("name")] = int(value) if isinstance(value, (int, float)) else 0
    return values, ""
