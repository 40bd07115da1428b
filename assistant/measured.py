"""The account's own measured hashtag lift (analytics.insights.hashtags), for the assistant's suggestions:
tags whose posts engaged better than the account's baseline, with enough evidence to say so."""

from analytics.insights.hashtags import MIN_CONFIDENCE, hashtag_lift

MAX_MEASURED = 10


def measured_hashtags(*, account, content):
    """[{"tag", "lift", "posts", "source"}] of tags with lift above 1 at MIN_CONFIDENCE, best first;
    `source` says whether they were learnt from the account or, with too few posts, the workspace."""
    lifts = hashtag_lift(workspace=account.workspace, account=account, limit=None)
    rows = [r for r in lifts["hashtags"] if r["lift"] > 1 and r["confidence"] >= MIN_CONFIDENCE][:MAX_MEASURED]
    return [{"tag": r["tag"], "lift": r["lift"], "posts": r["posts"], "source": lifts["source"]} for r in rows]
