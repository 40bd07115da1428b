"""When to post: an expected engagement score for each of the 168 hours of the week, in the account's
time zone, learnt from the account's own posts.

Each post's engagement is first made relative to the account's baseline at the time (normalise.py). A
post counts for the hour of the week it went out at, in the zone's local time of that day (zoneinfo,
so 09:00 is 09:00 before and after a DST change), and half for the hours either side (posting 10
minutes early or late is close to the same). An hour's score is the mean of its posts' log scores
shrunk towards "typical" by PRIOR_POSTS imaginary typical posts, so an hour with one lucky post does
not top the list; `score` is exp of that (1.0: typical for the account, 2.0: twice its baseline) with
a 95 % interval from the pooled spread of the scores.

With fewer than MIN_POSTS posts of its own, the account borrows its workspace's posts (each normalised
by its own account); with fewer than that, a per-network default (DEFAULT_HOURS) that is a generic
starting point, not learnt from anyone's data. The answer says which it used and how many posts."""

import math
from datetime import UTC, datetime

from django.utils import timezone

from .normalise import post_rows, pooled_variance, scored_posts
from .tz import account_timezone

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
HOURS_OF_WEEK = 7 * 24
MIN_POSTS = 30
PRIOR_POSTS = 3.0
NEIGHBOUR_WEIGHT = 0.5
Z95 = 1.96
DEFAULT_LIFT = 1.15
# Generic starting points per network (local time, Monday = 0), used only until there are MIN_POSTS
# posts to learn from: weekday working hours for the professional networks, mornings, lunch and
# evenings for the others. They are not measurements; the answer's `source` is "default" with them.
WEEKDAYS = range(0, 5)
ALL_DAYS = range(0, 7)
DEFAULT_HOURS = {
    "linkedin": (WEEKDAYS, (8, 9, 10, 12, 17)),
    "x": (WEEKDAYS, (8, 9, 12, 13, 17)),
    "facebook": (ALL_DAYS, (9, 12, 13, 19)),
    "instagram": (ALL_DAYS, (11, 12, 13, 19, 20)),
    "threads": (ALL_DAYS, (9, 12, 19, 20)),
    "bluesky": (ALL_DAYS, (9, 12, 17, 20)),
    "mastodon": (ALL_DAYS, (9, 12, 17, 20)),
    "reddit": (ALL_DAYS, (7, 8, 9, 12, 20)),
}


def slot_of(moment, tz):
    local = moment.astimezone(tz)
    return local.weekday() * 24 + local.hour


def slot_label(slot):
    return {"weekday": slot // 24, "day": DAYS[slot // 24], "hour": slot % 24, "time": f"{slot % 24:02d}:00"}


def estimate(posts, tz):
    """[{weekday, day, hour, time, score, low, high, posts}] for the 168 hours of the week."""
    weight, total, count = [0.0] * HOURS_OF_WEEK, [0.0] * HOURS_OF_WEEK, [0] * HOURS_OF_WEEK
    for post in posts:
        slot = post.slot if post.slot is not None else slot_of(datetime.fromtimestamp(post.at, UTC), tz)
        count[slot] += 1
        for offset, w in ((0, 1.0), (-1, NEIGHBOUR_WEIGHT), (1, NEIGHBOUR_WEIGHT)):
            s = (slot + offset) % HOURS_OF_WEEK
            weight[s] += w
            total[s] += w * post.y
    variance = pooled_variance([post.y for post in posts])
    slots = []
    for slot in range(HOURS_OF_WEEK):
        n = weight[slot] + PRIOR_POSTS
        mean, se = total[slot] / n, math.sqrt(variance / n)
        slots.append({
            **slot_label(slot), "score": round(math.exp(mean), 4),
            "low": round(math.exp(mean - Z95 * se), 4), "high": round(math.exp(mean + Z95 * se), 4), "posts": count[slot],
        })
    return slots


def default_slots(platform):
    days, hours = DEFAULT_HOURS.get(platform, (WEEKDAYS, (9, 12, 17)))
    return [
        {**slot_label(slot), "score": DEFAULT_LIFT if (slot // 24 in days and slot % 24 in hours) else 1.0,
         "low": None, "high": None, "posts": 0}
        for slot in range(HOURS_OF_WEEK)
    ]


def ranked(slots, limit=10):
    """The best hours first: by score, then by the lower bound (more evidence), then earliest."""
    order = sorted(slots, key=lambda s: (-s["score"], -(s["low"] or 0), s["weekday"], s["hour"]))
    return order[:limit]


def best_times(*, account, tz=None, now=None, user=None, min_posts=MIN_POSTS):
    """The account's expected engagement per hour of the week (see the module docstring)."""
    now = now or timezone.now()
    tz = tz or account_timezone(account=account, user=user)
    posts = scored_posts(post_rows(account_ids=[account.id], now=now, tz=tz))
    source = "account"
    if len(posts) < min_posts:
        posts = scored_posts(post_rows(workspace=account.workspace_id, now=now, tz=tz))
        source = "workspace"
    if len(posts) < min_posts:
        slots, source = default_slots(account.platform), "default"
    else:
        slots = estimate(posts, tz)
    return {
        "account": account.id, "platform": account.platform, "timezone": str(tz), "source": source,
        "posts_used": len(posts) if source != "default" else 0, "min_posts": min_posts,
        "explanation": EXPLANATIONS[source].format(n=len(posts), min=min_posts),
        "slots": slots, "best": ranked(slots),
    }


EXPLANATIONS = {
    "account": "Learnt from this account's {n} posts of the last year, each relative to the account's typical engagement then.",
    "workspace": "This account has fewer than {min} posts with figures, so this is learnt from the {n} posts of all the workspace's accounts.",
    "default": "Fewer than {min} posts with figures in this workspace: a generic starting point for the network, not learnt from data.",
}
