"""CSV of the overview's daily series and of the post table, produced row by row for a streamed
response (no list of every row in memory). Text cells that a spreadsheet would run as a formula
(starting with = + - @) are prefixed with a quote."""

import csv

from analytics.models import METRICS

from .overview import facts

SERIES_COLUMNS = ("day", "posts", "engagement", *METRICS, "engagement_rate", "engagement_per_post")
POST_COLUMNS = ("post_id", "target_id", "platform", "account", "posted_at", *METRICS, "engagement", "url", "content")


class _Echo:
    def write(self, value):
        return value


def _safe(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_lines(header, rows):
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([_safe(cell) for cell in row])


def series_rows(series):
    for row in series:
        yield [row["day"].isoformat(), row["posts"], row["engagement"], *(row[name] for name in METRICS),
               row["engagement_rate"] if row["engagement_rate"] is not None else "", row["engagement_per_post"] or 0]


def post_table(*, workspace, since=None, until=None, platform=None, account=None):
    """The targets posted in the window with their latest figures, newest first (a lazy queryset)."""
    return (
        facts(workspace=workspace, since=since, until=until, platform=platform, account=account)
        .select_related("target__post", "account")
        .only("target__post__content", "target__post_id", "target__platform_post_url", "account__platform_username",
              "platform", "posted_at", "engagement_total", "impressions", *METRICS)
        .order_by("-posted_at", "-id")
    )


def post_record(row):
    return {
        "post_id": row.target.post_id, "target_id": row.target_id, "platform": row.platform,
        "account": row.account.platform_username if row.account_id else "", "posted_at": row.posted_at,
        **{name: getattr(row, name) for name in METRICS}, "engagement": row.engagement_total,
        "url": row.target.platform_post_url, "content": row.target.post.content,
    }


def post_rows_csv(queryset):
    for row in queryset.iterator(chunk_size=2000):
        record = post_record(row)
        record["posted_at"] = record["posted_at"].isoformat() if record["posted_at"] else ""
        yield [record[column] for column in POST_COLUMNS]


