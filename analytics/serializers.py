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
