"""Which hashtags go with better engagement than the account's baseline.

A hashtag's lift is exp of the mean normalised score (normalise.py) of the posts that carry it, shrunk
towards 1 by PRIOR_POSTS typical posts; `confidence` is the probability, under a normal approximation
with the pooled spread, that its lift is above 1 (0.5: no evidence either way). A lift is an
association, not proof that the tag caused it. Learnt from the account's posts, or the workspace's
when the account has fewer than MIN_POSTS."""

import math
import re
from statistics import NormalDist

from django.utils import timezone

from .best_times import MIN_POSTS, PRIOR_POSTS, Z95
from .normalise import post_rows, pooled_variance, scored_posts

# A hashtag as the networks link it: # then letters, digits, underscores; not inside a word or URL.
HASHTAG = re.compile(r"(?<![\w#/&])#(\w*[^\W\d]\w*)")
MIN_CONFIDENCE = 0.6


def hashtags_in(text):
    """The distinct hashtags of `text`, lower-cased, in order of appearance."""
    seen = []
    for tag in HASHTAG.findall(text or ""):
        tag = tag.lower()
        if tag not in seen:
            seen.append(tag)
    return seen


def _posts(*, workspace, account, now, min_posts):
    if account is not None:
        posts = scored_posts(post_rows(account_ids=[account.id], now=now, with_content=True))
        if len(posts) >= min_posts:
            return posts, "account"
    return scored_posts(post_rows(workspace=workspace, now=now, with_content=True)), "workspace"


def hashtag_lift(*, workspace, account=None, now=None, limit=50, min_posts=MIN_POSTS):
    """{"source", "posts_used", "hashtags": [{tag, lift, low, high, posts, confidence}]}, best first."""
    posts, source = _posts(workspace=workspace, account=account, now=now or timezone.now(), min_posts=min_posts)
    variance = pooled_variance([p.y for p in posts])
    sums, counts = {}, {}
    for post in posts:
        for tag in hashtags_in(post.content):
            sums[tag] = sums.get(tag, 0.0) + post.y
            counts[tag] = counts.get(tag, 0) + 1
    rows = []
    for tag, n in counts.items():
        shrunk = n + PRIOR_POSTS
        mean, se = sums[tag] / shrunk, math.sqrt(variance / shrunk)
        rows.append({
            "tag": tag, "lift": round(math.exp(mean), 4), "low": round(math.exp(mean - Z95 * se), 4),
            "high": round(math.exp(mean + Z95 * se), 4), "posts": n,
            "confidence": round(NormalDist().cdf(mean / se), 4),
        })
    rows.sort(key=lambda r: (-r["lift"], -r["posts"], r["tag"]))
    return {"source": source, "posts_used": len(posts), "min_posts": min_posts, "hashtags": rows[:limit]}


def suggest_hashtags(*, workspace, account, content, limit=5, now=None):
    """Hashtags the draft lacks whose lift is above 1 with at least MIN_CONFIDENCE, best first, and the
    lift of those it already has (where known)."""
    lifts = hashtag_lift(workspace=workspace, account=account, now=now, limit=None)
    present = hashtags_in(content)
    known = {row["tag"]: row for row in lifts["hashtags"]}
    suggestions = [
        row for row in lifts["hashtags"]
        if row["tag"] not in present and row["lift"] > 1 and row["confidence"] >= MIN_CONFIDENCE
    ][:limit]
    return {
        "source": lifts["source"], "posts_used": lifts["posts_used"], "suggestions": suggestions,
        "present": [known.get(tag) or {"tag": tag, "lift": None, "low": None, "high": None, "posts": 0, "confidence": None}
                    for tag in present],
    }
