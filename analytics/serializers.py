from rest_framework import serializers

from config.datetimes import UTCDateTimeField
from config.datetimes import iso

METRIC_FIELDS = ("likes", "reposts", "replies", "impressions", "clicks")
PLATFORM_ROW_FIELDS = (*METRIC_FIELDS, "platform", "label", "targets", "posted", "failed")


class WindowSerializer(serializers.Serializer):
    """Optional ?since=&until= (ISO 8601 date or date-time; since inclusive, until exclusive)."""

    since = UTCDateTimeField(required=False, default=None)
    until = UTCDateTimeField(required=False, default=None)

    def validate(self, attrs):
        since, until = attrs.get("since"), attrs.get("until")
        if since is not None and until is not None and since >= until:
            raise serializers.ValidationError({"until": ["Must be later than since."]})
        return attrs


def window_from(request):
    serializer = WindowSerializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data["since"], serializer.validated_data["until"]


class MetricsSerializer(serializers.Serializer):
    likes = serializers.IntegerField()
    reposts = serializers.IntegerField()
    replies = serializers.IntegerField()
    impressions = serializers.IntegerField()
    clicks = serializers.IntegerField()


class TargetMetricsSerializer(MetricsSerializer):
    platform_metrics = serializers.JSONField()
    updated_at = serializers.DateTimeField()


class AccountRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    platform_username = serializers.CharField()


class TargetSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    platform = serializers.CharField()
    account = AccountRefSerializer()
    status = serializers.CharField()
    platform_post_url = serializers.CharField()
    posted_at = serializers.DateTimeField(allow_null=True)


class PlatformOverviewSerializer(MetricsSerializer):
    platform = serializers.CharField()
    label = serializers.CharField()
    targets = serializers.IntegerField()
    posted = serializers.IntegerField()
    failed = serializers.IntegerField()


class PostCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())


class TargetCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    posted = serializers.IntegerField()
    failed = serializers.IntegerField()


class OverviewSerializer(serializers.Serializer):
    since = serializers.DateTimeField(allow_null=True)
    until = serializers.DateTimeField(allow_null=True)
    posts = PostCountsSerializer()
    targets = TargetCountsSerializer()
    engagement = MetricsSerializer()
    platforms = PlatformOverviewSerializer(many=True)

    def to_representation(self, o):
        """The fields above, rendered directly (the nested serializers cost more than the queries)."""
        return {
            "since": iso(o["since"]), "until": iso(o["until"]),
            "posts": {"total": o["posts"]["total"], "by_status": dict(o["posts"]["by_status"])},
            "targets": {key: o["targets"][key] for key in ("total", "posted", "failed")},
            "engagement": {key: o["engagement"][key] for key in METRIC_FIELDS},
            "platforms": [{key: row[key] for key in PLATFORM_ROW_FIELDS} for row in o["platforms"]],
        }


class PostRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    posted_at = serializers.DateTimeField(allow_null=True, required=False)


class TargetWithMetricsSerializer(TargetSummarySerializer):
    metrics = TargetMetricsSerializer(allow_null=True)


class PostMetricsSerializer(serializers.Serializer):
    post = PostRefSerializer()
    totals = MetricsSerializer()
    targets = TargetWithMetricsSerializer(many=True)


class SnapshotSerializer(serializers.Serializer):
    captured_at = serializers.DateTimeField()
    data = serializers.JSONField()


class TargetHistorySerializer(TargetSummarySerializer):
    snapshots = SnapshotSerializer(many=True)


class PostHistorySerializer(serializers.Serializer):
    post = PostRefSerializer()
    targets = TargetHistorySerializer(many=True)

    def to_representation(self, h):
        return {
            "post": {"id": h["post"]["id"], "status": h["post"]["status"], "posted_at": iso(h["post"].get("posted_at"))},
            "targets": [
                {
                    **target_summary_representation(t),
                    "snapshots": [{"captured_at": iso(s["captured_at"]), "data": s["data"]} for s in t["snapshots"]],
                }
                for t in h["targets"]
            ],
        }


def target_summary_representation(t):
    return {
        "id": t["id"], "platform": t["platform"],
        "account": {"id": t["account"]["id"], "platform_username": t["account"]["platform_username"]},
        "status": t["status"], "platform_post_url": t["platform_post_url"], "posted_at": iso(t["posted_at"]),
    }


# --- insights (issue 15) ----------------------------------------------------------------------------
# Declared for the OpenAPI schema and rendered directly (to_representation), like OverviewSerializer.
from social_media.platforms.registry import PLATFORMS  # noqa: E402

from .models import METRICS  # noqa: E402


def _jsonable(value):
    """Dates and datetimes of an insights answer as the API writes them (UTC datetimes, ISO dates)."""
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if hasattr(value, "utcoffset") and hasattr(value, "hour"):
        return iso(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


class InsightQuerySerializer(serializers.Serializer):
    """?from=&to= (or since/until: ISO 8601 date or date-time, from inclusive, to exclusive),
    ?platform= (a network key) and ?account= (an account id of the workspace)."""

    since = UTCDateTimeField(required=False, default=None)
    until = UTCDateTimeField(required=False, default=None)
    locals()["from"] = UTCDateTimeField(required=False, default=None, help_text="Same as since.")
    locals()["to"] = UTCDateTimeField(required=False, default=None, help_text="Same as until.")
    platform = serializers.ChoiceField(choices=sorted(PLATFORMS), required=False, default=None)
    account = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, default=None)

    def validate(self, attrs):
        for alias, name in (("from", "since"), ("to", "until")):
            if attrs.get(alias) is not None:
                if attrs.get(name) is not None:
                    raise serializers.ValidationError({alias: [f"Give {alias} or {name}, not both."]})
                attrs[name] = attrs[alias]
        if attrs["since"] is not None and attrs["until"] is not None and attrs["since"] >= attrs["until"]:
            raise serializers.ValidationError({"to" if self.initial_data.get("to") else "until": ["Must be later than from."]})
        return attrs


class AccountQuerySerializer(serializers.Serializer):
    account = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class OptionalAccountQuerySerializer(serializers.Serializer):
    account = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, default=None)


class RateSerializer(serializers.Serializer):
    posts = serializers.IntegerField()
    engagement = serializers.IntegerField()
    engagement_rate = serializers.FloatField(allow_null=True, help_text="Engagement ÷ impressions, over the targets whose network reports impressions.")
    engagement_per_post = serializers.FloatField(allow_null=True)
    basis = serializers.ChoiceField(choices=["impressions", "per_post"])


for _name in METRICS:
    RateSerializer._declared_fields[_name] = serializers.IntegerField()


class PlatformRateSerializer(RateSerializer):
    platform = serializers.CharField()
    label = serializers.CharField()


class AccountRateSerializer(RateSerializer):
    account = serializers.IntegerField()
    platform = serializers.CharField()
    platform_username = serializers.CharField()


class DayRateSerializer(RateSerializer):
    day = serializers.DateField()


class AccountGrowthSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    change = serializers.IntegerField()
    first_day = serializers.DateField()
    last_day = serializers.DateField()


class FollowerDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    followers = serializers.IntegerField()


class FollowerGrowthSerializer(serializers.Serializer):
    accounts = AccountGrowthSerializer(many=True)
    series = FollowerDaySerializer(many=True)
    total_change = serializers.IntegerField()


class TopPostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    content = serializers.CharField()
    posted_at = serializers.DateTimeField(allow_null=True)
    engagement = serializers.IntegerField()
    impressions = serializers.IntegerField()
    targets = serializers.IntegerField()


class FiltersSerializer(serializers.Serializer):
    platform = serializers.CharField(allow_null=True)
    account = serializers.IntegerField(allow_null=True)


class InsightOverviewSerializer(OverviewSerializer):
    timezone = serializers.CharField()
    filters = FiltersSerializer()
    totals = RateSerializer()
    by_platform = PlatformRateSerializer(many=True)
    by_account = AccountRateSerializer(many=True)
    series = DayRateSerializer(many=True, help_text="Targets posted on each day, in the workspace's time zone.")
    followers = FollowerGrowthSerializer()
    top_posts = TopPostSerializer(many=True)

    def to_representation(self, o):
        body = super().to_representation(o)
        for key in ("timezone", "filters", "totals", "by_platform", "by_account", "series", "followers", "top_posts"):
            body[key] = _jsonable(o[key])
        return body


class AccountFollowerDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    followers = serializers.IntegerField(allow_null=True)
    following = serializers.IntegerField(allow_null=True)
    posts = serializers.IntegerField(allow_null=True)
    extra = serializers.JSONField()


class AccountPostSerializer(serializers.Serializer):
    post = serializers.IntegerField()
    target = serializers.IntegerField()
    content = serializers.CharField()
    url = serializers.CharField()
    posted_at = serializers.DateTimeField(allow_null=True)
    engagement = serializers.IntegerField()
    relative_to_baseline = serializers.FloatField(allow_null=True, help_text="Engagement as a multiple of the account's typical engagement then.")


for _name in METRICS:
    AccountPostSerializer._declared_fields[_name] = serializers.IntegerField()


class AccountSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    platform = serializers.CharField()
    platform_username = serializers.CharField()


class AccountInsightsSerializer(serializers.Serializer):
    account = AccountSummarySerializer()
    timezone = serializers.CharField()
    followers = AccountFollowerDaySerializer(many=True)
    totals = RateSerializer()
    posts = AccountPostSerializer(many=True)
    posts_truncated = serializers.BooleanField()

    def to_representation(self, o):
        return _jsonable(o)


class SlotSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="0 = Monday.")
    day = serializers.CharField()
    hour = serializers.IntegerField()
    time = serializers.CharField()
    score = serializers.FloatField(help_text="Expected engagement as a multiple of the account's baseline (1.0: typical).")
    low = serializers.FloatField(allow_null=True, help_text="95 % interval, lower end (null for the default).")
    high = serializers.FloatField(allow_null=True)
    posts = serializers.IntegerField(help_text="Posts learnt from at this hour.")


class BestTimesSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    platform = serializers.CharField()
    timezone = serializers.CharField()
    source = serializers.CharField(help_text="What the scores were learnt from: account, workspace or default.")
    posts_used = serializers.IntegerField()
    min_posts = serializers.IntegerField()
    explanation = serializers.CharField()
    slots = SlotSerializer(many=True, help_text="The 168 hours of the week, Monday 00:00 first, in `timezone`.")
    best = SlotSerializer(many=True)

    def to_representation(self, o):
        return _jsonable(o)


class HashtagLiftSerializer(serializers.Serializer):
    tag = serializers.CharField()
    lift = serializers.FloatField(allow_null=True, help_text="Engagement of posts with the tag ÷ the account's baseline.")
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    posts = serializers.IntegerField()
    confidence = serializers.FloatField(allow_null=True, help_text="Probability that the lift is above 1.")


class HashtagsSerializer(serializers.Serializer):
    source = serializers.CharField(help_text="account or workspace: whose posts.")
    posts_used = serializers.IntegerField()
    min_posts = serializers.IntegerField()
    hashtags = HashtagLiftSerializer(many=True)

    def to_representation(self, o):
        return _jsonable(o)


class SuggestHashtagsRequestSerializer(serializers.Serializer):
    content = serializers.CharField(max_length=5000, allow_blank=True, trim_whitespace=False)
    account = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class SuggestHashtagsSerializer(serializers.Serializer):
    source = serializers.CharField(help_text="account or workspace: whose posts.")
    posts_used = serializers.IntegerField()
    suggestions = HashtagLiftSerializer(many=True)
    present = HashtagLiftSerializer(many=True)

    def to_representation(self, o):
        return _jsonable(o)


class SuggestSlotsRequestSerializer(serializers.Serializer):
    posts_per_week = serializers.IntegerField(min_value=1, max_value=70, default=7)
    per_day = serializers.IntegerField(min_value=1, max_value=10, required=False, default=None)


class SuggestedSlotSerializer(serializers.Serializer):
    day = serializers.CharField()
    time = serializers.CharField()
    score = serializers.FloatField()


class SlotSourceSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    source = serializers.CharField()
    posts_used = serializers.IntegerField()


class SuggestSlotsSerializer(serializers.Serializer):
    timezone = serializers.CharField()
    posting_schedule = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                             help_text="In the shape of a queue's posting_schedule; PATCH the queue with it to use it.")
    slots = SuggestedSlotSerializer(many=True)
    accounts = SlotSourceSerializer(many=True)

    def to_representation(self, o):
        return _jsonable(o)


class PostTableRowSerializer(serializers.Serializer):
    post_id = serializers.IntegerField()
    target_id = serializers.IntegerField()
    platform = serializers.CharField()
    account = serializers.CharField()
    posted_at = serializers.DateTimeField(allow_null=True)
    engagement = serializers.IntegerField()
    url = serializers.CharField()
    content = serializers.CharField()


for _name in METRICS:
    PostTableRowSerializer._declared_fields[_name] = serializers.IntegerField()


class PostTableSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = PostTableRowSerializer(many=True)
    truncated = serializers.BooleanField()

    def to_representation(self, o):
        return _jsonable(o)
