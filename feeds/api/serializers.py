from rest_framework import serializers

from config.datetimes import UTCDateTimeField
from config.numbers import MAX_ID
from config.sizes import BoundedListField
from feeds.models import DEFAULT_INTERVAL_MINUTES, DEFAULT_TEMPLATE, MIN_INTERVAL_MINUTES, FeedItem, FeedSubscription
from feeds.services import MAX_INTERVAL_MINUTES, PollResult
from feeds.template import HELP as TEMPLATE_HELP
from social_media.models import ConnectedAccount, PostQueue


class FeedSubscriptionSerializer(serializers.ModelSerializer):
    account_ids = serializers.SerializerMethodField()
    queue_id = serializers.IntegerField(allow_null=True)
    next_poll_at = UTCDateTimeField(allow_null=True)
    last_polled_at = UTCDateTimeField(allow_null=True)
    last_success_at = UTCDateTimeField(allow_null=True)
    created_at = UTCDateTimeField()

    class Meta:
        model = FeedSubscription
        fields = ["id", "url", "title", "account_ids", "template", "mode", "queue_id", "post_existing", "is_active",
                  "poll_interval_minutes", "next_poll_at", "last_polled_at", "last_success_at", "consecutive_failures",
                  "last_error", "created_at"]

    def get_account_ids(self, subscription) -> list[int]:
        return sorted(account.pk for account in subscription.accounts.all())


class FeedSubscriptionWriteSerializer(serializers.Serializer):
    """Workspace checks (accounts, queue) and the address guard run in feeds.services, for every caller."""

    url = serializers.URLField(max_length=1000)
    account_ids = BoundedListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), max_length=100, required=False)
    template = serializers.CharField(max_length=1000, default=DEFAULT_TEMPLATE, help_text=TEMPLATE_HELP)
    mode = serializers.ChoiceField(choices=FeedSubscription.Mode.choices, default=FeedSubscription.Mode.DRAFT)
    queue_id = serializers.IntegerField(min_value=1, max_value=MAX_ID, allow_null=True, required=False)
    post_existing = serializers.BooleanField(default=False, help_text="Also post the items already in the feed.")
    is_active = serializers.BooleanField(default=True)
    poll_interval_minutes = serializers.IntegerField(min_value=MIN_INTERVAL_MINUTES, max_value=MAX_INTERVAL_MINUTES, default=DEFAULT_INTERVAL_MINUTES)

    def service_values(self, workspace) -> dict:
        """validated_data with ids turned into rows; ids of another workspace (or none) are field errors."""
        values = dict(self.validated_data)
        errors = {}
        if "account_ids" in values:
            ids = set(values.pop("account_ids"))
            accounts = list(ConnectedAccount.objects.filter(workspace=workspace, pk__in=ids).defer("access_token", "refresh_token"))
            missing = sorted(ids - {a.pk for a in accounts})
            if missing:
                errors["account_ids"] = [f"No connected account with id {', '.join(map(str, missing))} in this workspace."]
            values["accounts"] = accounts
        if "queue_id" in values:
            queue_id = values.pop("queue_id")
            values["queue"] = PostQueue.objects.filter(workspace=workspace, pk=queue_id).first() if queue_id else None
            if queue_id and values["queue"] is None:
                errors["queue_id"] = [f"No queue with id {queue_id} in this workspace."]
        if errors:
            raise serializers.ValidationError(errors)
        return values


class FeedItemSerializer(serializers.ModelSerializer):
    post_id = serializers.IntegerField(allow_null=True)
    published_at = UTCDateTimeField(allow_null=True)
    seen_at = UTCDateTimeField()

    class Meta:
        model = FeedItem
        fields = ["id", "item_key", "title", "link", "published_at", "outcome", "post_id", "note", "seen_at"]


class PollResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ok", "not_modified", "error"])
    new_items = serializers.IntegerField()
    posts_created = serializers.IntegerField()
    skipped_existing = serializers.IntegerField()
    error = serializers.CharField()
    subscription = FeedSubscriptionSerializer()

    @staticmethod
    def of(result: PollResult, subscription):
        return PollResultSerializer({**result.__dict__, "subscription": subscription}).data
