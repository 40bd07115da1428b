"""Serializers of the posts, queues and connected-accounts API. Read serializers render rows; write
serializers only validate input, and the views hand it to the services."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.datetimes import iso
from config.numbers import MAX_ID
from config.sizes import BoundedDictField, BoundedListField
from first_comments.serializers import FirstCommentDeliverySerializer, FirstCommentSerializer
from media.models import MediaFile
from media.serializers import MediaFileSerializer
from social_media.models import ConnectedAccount, Post, PostQueue, PostTarget, PublishAttempt, QueuedPost, without_secrets
from social_media.models import TargetPartPublication, ThreadPart
from social_media.services.threads import MAX_THREAD_PARTS
from social_media.services.accounts import platform_settings_shown
from social_media.services.queues import clean_posting_schedule, clean_timezone

from .fields import AwareFutureDateTimeField, WorkspaceObjectsField
from .post_bodies import post_bodies_of
from .queue_bodies import queue_bodies_of, upcoming_entries


# Collection sizes, checked before any item is looked at (config/sizes.py).
MAX_TARGETS = 100  # accounts one post or queue publishes to
MAX_MEDIA = 20  # attachments of one post (every network allows fewer)
MAX_REORDER = 1000  # waiting posts one reorder lists


def active_accounts(workspace):
    return without_secrets(ConnectedAccount.objects.filter(workspace=workspace, is_active=True))


# --- Connected accounts ---------------------------------------------------------------------
class ConnectedAccountSerializer(serializers.ModelSerializer):
    """An account as the API shows it. Tokens are never part of it (not even write-only), and
    platform_settings keys that look like credentials are left out should an adapter ever store one."""

    platform_settings = serializers.SerializerMethodField()

    class Meta:
        model = ConnectedAccount
        fields = [
            "id", "platform", "platform_user_id", "platform_username", "display_name", "instance_url",
            "is_active", "needs_reconnect", "last_error", "token_expires_at", "platform_settings",
            "limits_refreshed_at", "created_at", "updated_at",
        ]
        read_only_fields = [f for f in fields if f not in ("display_name", "is_active")]

    def get_platform_settings(self, account) -> dict:
        return platform_settings_shown(account.platform_settings or {})


# --- Posts ----------------------------------------------------------------------------------
class PublishAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = PublishAttempt
        fields = ["kind", "attempt_number", "started_at", "finished_at", "outcome", "error_class", "http_status", "message"]
        read_only_fields = fields


class TargetPartPublicationSerializer(serializers.ModelSerializer):
    """One part of a thread as published on the target's network (docs/threads.md); position 0 is the head."""

    class Meta:
        model = TargetPartPublication
        fields = ["position", "platform_post_id", "platform_post_url", "posted_at"]
        read_only_fields = fields


class ThreadPartSerializer(serializers.ModelSerializer):
    class Meta:
        model = ThreadPart
        fields = ["position", "content", "media_ids"]
        read_only_fields = fields


class ThreadPartWriteSerializer(serializers.Serializer):
    content = serializers.CharField(max_length=5000, allow_blank=True, trim_whitespace=False, required=False, default="")
    media_ids = WorkspaceObjectsField(queryset=MediaFile.objects.all(), noun="media file", required=False, max_length=MAX_MEDIA)


class PostTargetSerializer(serializers.ModelSerializer):
    platform = serializers.CharField(source="account.platform", read_only=True)
    account_username = serializers.CharField(source="account.platform_username", read_only=True)
    attempts = PublishAttemptSerializer(many=True, read_only=True)
    parts = TargetPartPublicationSerializer(
        source="part_publications", many=True, read_only=True,
        help_text="A thread's parts on this network, in order, once each is published (position 0 is the head, the target's own post).",
    )
    first_comment = FirstCommentDeliverySerializer(source="first_comment_delivery", read_only=True, allow_null=True)
    retry_count = serializers.IntegerField(
        source="retries", read_only=True,
        help_text="Retries: attempts after the first (0 after a first attempt that succeeded). Each attempt is listed in `attempts`.",
    )

    class Meta:
        model = PostTarget
        fields = [
            "id", "account", "platform", "account_username", "custom_content", "platform_specific_settings", "status", "platform_post_id",
            "platform_post_url", "error_message", "retry_count", "last_attempt_at", "next_attempt_at", "posted_at",
            "attempts", "first_comment", "parts",
        ]
        read_only_fields = fields


class PostMediaSerializer(MediaFileSerializer):
    """One attachment of a post (a PostMedia row): the media file and its position."""

    order = serializers.IntegerField(read_only=True)

    class Meta(MediaFileSerializer.Meta):
        fields = [*MediaFileSerializer.Meta.fields, "order"]
        read_only_fields = fields

    def to_representation(self, link):
        return {**MediaFileSerializer(link.media, context=self.context).data, "order": link.order}


class PostListSerializer(serializers.ListSerializer):
    """Many posts in one batch of queries."""

    def to_representation(self, data):
        return post_bodies_of(data.all() if hasattr(data, "all") else data)


class PostSerializer(serializers.ModelSerializer):
    """A post as the API shows it. The fields are declared for the schema; bodies are built from rows by
    social_media/api/post_bodies.py (one path for lists, details and action responses)."""

    targets = PostTargetSerializer(many=True, read_only=True)
    media = PostMediaSerializer(source="post_media.all", many=True, read_only=True)
    thread = ThreadPartSerializer(
        source="thread_parts", many=True, read_only=True,
        help_text="A thread's parts after the first (the post's own content), in order; empty for a single post.",
    )
    queue = serializers.SerializerMethodField()
    first_comment = FirstCommentSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Post
        fields = [
            "id", "content", "status", "scheduled_time", "posted_at", "author", "queue", "targets", "media",
            "first_comment", "thread", "created_at", "updated_at",
        ]
        read_only_fields = fields
        list_serializer_class = PostListSerializer

    def get_queue(self, post) -> int | None:
        entry = getattr(post, "queue_entry", None)
        return entry.queue_id if entry else None

    def to_representation(self, post):
        return post_bodies_of([post])[0]


class PostWriteSerializer(serializers.Serializer):
    """Input of POST (create) and PATCH (partial) on /posts/."""

    content = serializers.CharField(max_length=5000, allow_blank=True, trim_whitespace=False, required=False)
    target_accounts = WorkspaceObjectsField(queryset=active_accounts, noun="active connected account", required=False, max_length=MAX_TARGETS)
    custom_content = BoundedDictField(
        child=serializers.CharField(max_length=5000, allow_blank=True, trim_whitespace=False), required=False,
        max_length=MAX_TARGETS,
        help_text='Per-target text keyed by account id: {"<account id>": "text"}. Replaces the whole mapping.',
    )
    target_settings = BoundedDictField(
        child=serializers.DictField(), required=False, max_length=MAX_TARGETS,
        help_text='Per-target network settings keyed by account id, e.g. Reddit: {"<account id>": {"subreddit": "python", '
        '"title": "...", "flair_id": "...", "flair_text": "...", "url": "https://..."}}. Validated when the post is scheduled.',
    )
    media_ids = WorkspaceObjectsField(queryset=MediaFile.objects.all(), noun="media file", required=False, max_length=MAX_MEDIA)
    thread = BoundedListField(
        child=ThreadPartWriteSerializer(), required=False, max_length=MAX_THREAD_PARTS,
        help_text="A thread: the parts after the first (`content` is part one), each published as a reply to the one before "
        '(docs/threads.md): [{"content": "...", "media_ids": [...]}]. Replaces the whole thread; [] makes it a single post. '
        'Errors point at the part\'s index: {"thread": {"2": {"content": ["..."]}}}.',
    )
    scheduled_time = AwareFutureDateTimeField(
        required=False, allow_null=True,
        help_text="ISO 8601 with an offset, in the future. On PATCH, null takes the post back to draft.",
    )
    first_comment = FirstCommentSerializer(required=False, allow_null=True, help_text=(
        "Posted under the post on each target network after it is published (docs/first-comments.md); null removes it."))

    def validate(self, attrs):
        if not self.partial and not attrs.get("content") and not attrs.get("media_ids"):
            raise serializers.ValidationError({"content": ["Write something or attach media."]})
        return attrs

    def service_kwargs(self):
        """validated_data named as the post services name them."""
        names = {"target_accounts": "accounts", "media_ids": "media"}
        return {names.get(key, key): value for key, value in self.validated_data.items()}


class ScheduleSerializer(serializers.Serializer):
    scheduled_time = AwareFutureDateTimeField()


class UnpublishSerializer(serializers.Serializer):
    targets = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, allow_empty=False, max_length=100,
        help_text="Ids of the post's targets to delete; all its posted targets when omitted.",
    )


# --- Queues ---------------------------------------------------------------------------------
class QueueEntrySerializer(serializers.ModelSerializer):
    scheduled_time = serializers.DateTimeField(source="post.scheduled_time", read_only=True)
    status = serializers.CharField(source="post.status", read_only=True)

    class Meta:
        model = QueuedPost
        fields = ["post", "position", "scheduled_time", "status"]
        read_only_fields = fields


@extend_schema_field({
    "type": "object",
    "additionalProperties": {"type": "array", "items": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"}},
    "example": {"monday": ["09:00", "15:00"], "friday": ["12:30"]},
})
class PostingScheduleField(serializers.Field):
    """{"monday": ["09:00", "15:00"], ...}: validated by clean_posting_schedule, which checks its size
    first (a JSONField would re-encode the whole input before any check)."""

    def to_internal_value(self, data):
        return clean_posting_schedule(data)

    def to_representation(self, value):
        return value


class PostQueueSerializer(serializers.ModelSerializer):
    target_accounts = WorkspaceObjectsField(queryset=active_accounts, noun="active connected account", required=False, max_length=MAX_TARGETS)
    posting_schedule = PostingScheduleField(help_text="Weekly posting times in the queue's time zone, 24-hour HH:MM.")
    upcoming = serializers.SerializerMethodField(help_text="The queue's scheduled posts, in the order they go out.")

    class Meta:
        model = PostQueue
        fields = [
            "id", "name", "description", "target_accounts", "posting_schedule", "timezone", "is_active",
            "created_at", "upcoming",
        ]
        read_only_fields = ["id", "created_at", "upcoming"]

    @extend_schema_field(QueueEntrySerializer(many=True))
    def get_upcoming(self, queue):
        return [
            {"post": e.post_id, "position": e.position, "scheduled_time": iso(e.post.scheduled_time), "status": e.post.status}
            for e in upcoming_entries(queue.entries.all())
        ]

    def to_representation(self, queue):
        """The fields above, from rows (social_media/api/queue_bodies.py): one path for lists, details
        and action responses."""
        return queue_bodies_of([queue])[0]

    def validate_timezone(self, value):
        return clean_timezone(value)


class AddPostSerializer(serializers.Serializer):
    post_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class ReorderSerializer(serializers.Serializer):
    post_ids = BoundedListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), allow_empty=True, max_length=MAX_REORDER)
