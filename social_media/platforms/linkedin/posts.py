"""The Posts API: create (`POST /rest/posts`, id in `x-restli-id`), delete, the author finder used to
reconcile, and metrics (social actions; share statistics for organization posts)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone as dt_timezone

from social_media.platforms.base import Metrics, OutcomeUnknown, PlatformError, PublishResult, Reconciliation

from .client import LinkedInClient, encode, urn_list
from .text import texts_match, to_commentary

PAGE_SIZE = 50
MAX_PAGES = 4
CLAIM_MARGIN = timedelta(minutes=1)


def post_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}/"


def post_body(author: str, text: str, media_urns: list[str], media) -> dict:
    body = {
        "author": author,
        "commentary": to_commentary(text or ""),
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    items = [{"id": urn, **({"altText": item.alt_text} if item.alt_text else {})} for urn, item in zip(media_urns, media)]
    if len(items) == 1:
        body["content"] = {"media": items[0]}
    elif items:
        body["content"] = {"multiImage": {"images": items}}
    return body


def create(client: LinkedInClient, body: dict) -> PublishResult:
    response = client.call("POST", "/rest/posts", json=body, what="post", may_have_landed=True)
    urn = response.headers.get("x-restli-id") or ""
    if not urn.startswith("urn:li:"):
        raise OutcomeUnknown("LinkedIn accepted the post without saying its id; checking before any retry.")
    return PublishResult(platform_post_id=urn, url=post_url(urn), published_at=datetime.now(dt_timezone.utc))


def delete(client: LinkedInClient, urn: str) -> None:
    try:
        client.call("DELETE", f"/rest/posts/{encode(urn)}", restli_method="DELETE", what="post", write=True)
    except PlatformError as exc:
        if exc.http_status != 404:  # already gone is what we wanted
            raise


def find(client: LinkedInClient, author: str, target) -> Reconciliation:
    """found: a post by `author` with the target's text, created since the claim; not_found: LinkedIn
    listed the author's posts back past the claim and none matched; else unknown (any error, e.g. the
    403 LinkedIn answers when the app lacks r_member_social for a member's posts)."""
    since_ms = int((target.claimed_at - CLAIM_MARGIN).timestamp() * 1000) if target.claimed_at else None
    start = 0
    try:
        for _page in range(MAX_PAGES):
            answer = client.json("GET", "/rest/posts", restli_method="FINDER", what="author's posts",
                                 query=f"q=author&author={encode(author)}&count={PAGE_SIZE}&start={start}&sortBy=CREATED")
            elements = answer.get("elements") or []
            for post in elements:
                created = int(post.get("createdAt") or post.get("publishedAt") or 0)
                if since_ms is not None and created and created < since_ms:
                    return Reconciliation(not_found=True)  # sorted newest first: the rest are older
                if texts_match(target.content, post.get("commentary", "")) and post.get("lifecycleState", "PUBLISHED") == "PUBLISHED":
                    return Reconciliation(found=_result(post))
            if len(elements) < PAGE_SIZE:
                return Reconciliation(not_found=True)
            start += PAGE_SIZE
    except PlatformError:
        return Reconciliation()
    return Reconciliation()


def metrics(client: LinkedInClient, urn: str, organization: str = "") -> Metrics:
    actions = client.json("GET", f"/rest/socialActions/{encode(urn)}", what="post's social actions")
    likes = int((actions.get("likesSummary") or {}).get("totalLikes", 0))
    comments = int((actions.get("commentsSummary") or {}).get("aggregatedTotalComments", 0))
    raw = {"likes": likes, "comments": comments}
    impressions = clicks = shares = 0
    if organization:
        kind = "ugcPosts" if urn.startswith("urn:li:ugcPost:") else "shares"
        answer = client.json("GET", "/rest/organizationalEntityShareStatistics", what="post's statistics",
                             query=f"q=organizationalEntity&organizationalEntity={encode(organization)}&{kind}={urn_list([urn])}")
        for element in answer.get("elements") or []:
            totals = element.get("totalShareStatistics") or {}
            impressions, clicks, shares = (int(totals.get(k, 0)) for k in ("impressionCount", "clickCount", "shareCount"))
            raw.update({k: v for k, v in totals.items() if isinstance(v, (int, float))})
    return Metrics(likes=likes, replies=comments, reposts=shares, impressions=impressions, clicks=clicks, raw=raw)


def _result(post: dict) -> PublishResult:
    created = post.get("publishedAt") or post.get("createdAt")
    published_at = datetime.fromtimestamp(int(created) / 1000, tz=dt_timezone.utc) if created else None
    return PublishResult(platform_post_id=post["id"], url=post_url(post["id"]), published_at=published_at)
