"""The posts API renders from rows with plain Python for speed (social_media/api/post_bodies.py); these tests hold
its output to what DRF's generic ModelSerializers produce for the same declared fields, so the fast path
can never drift from the documented schema."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIRequestFactory

from config.renderers import FastJSONRenderer
from first_comments.models import FirstComment, FirstCommentDelivery
from first_comments.serializers import FirstCommentDeliverySerializer, FirstCommentSerializer
from media.serializers import MediaFileSerializer
from social_media.api.serializers import PostQueueSerializer, PostSerializer
from social_media.models import Post, PostMedia, PostQueue, PostTarget, PublishAttempt, QueuedPost, Status
from social_media.models import TargetPartPublication, ThreadPart
from tests.factories import ConnectedAccountFactory, MediaFileFactory, PostFactory, PostQueueFactory, PostTargetFactory


class ReferenceAttempt(serializers.ModelSerializer):
    class Meta:
        model = PublishAttempt
        fields = ["kind", "attempt_number", "started_at", "finished_at", "outcome", "error_class", "http_status", "message"]


class ReferenceTarget(serializers.ModelSerializer):
    platform = serializers.CharField(source="account.platform")
    account_username = serializers.CharField(source="account.platform_username")
    retry_count = serializers.IntegerField(source="retries")  # retries, as PostTargetSerializer declares
    attempts = serializers.SerializerMethodField()

    class Meta:
        model = PostTarget
        fields = [
            "id", "account", "platform", "account_username", "custom_content", "platform_specific_settings", "status",
            "platform_post_id", "platform_post_url", "error_message", "retry_count", "last_attempt_at", "next_attempt_at",
            "posted_at", "attempts", "first_comment",
        ]

    first_comment = FirstCommentDeliverySerializer(source="first_comment_delivery", allow_null=True)  # first_comments

    def get_attempts(self, target):
        return ReferenceAttempt(target.attempts.order_by("started_at", "id"), many=True).data

    def to_representation(self, target):  # threads: the published parts, last
        body = super().to_representation(target)
        body["parts"] = ReferencePartPublication(target.part_publications.order_by("position"), many=True).data
        return body


class ReferencePartPublication(serializers.ModelSerializer):
    class Meta:
        model = TargetPartPublication
        fields = ["position", "platform_post_id", "platform_post_url", "posted_at"]


class ReferenceThreadPart(serializers.ModelSerializer):
    class Meta:
        model = ThreadPart
        fields = ["position", "content", "media_ids"]


def reference_media(media):
    """MediaFileSerializer's declared fields rendered by DRF's generic per-field path."""
    return dict(serializers.ModelSerializer.to_representation(MediaFileSerializer(), media))


class ReferenceMedia(serializers.Serializer):
    def to_representation(self, link):
        return {**reference_media(link.media), "order": link.order}


class ReferencePost(serializers.ModelSerializer):
    targets = ReferenceTarget(many=True)
    media = ReferenceMedia(source="post_media.all", many=True)
    queue = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = ["id", "content", "status", "scheduled_time", "posted_at", "author", "queue", "targets", "media", "first_comment",
                  "created_at", "updated_at"]

    first_comment = FirstCommentSerializer(allow_null=True)

    def get_queue(self, post):
        entry = getattr(post, "queue_entry", None)
        return entry.queue_id if entry else None

    def to_representation(self, post):  # threads: the parts after the first, just before created_at
        body = super().to_representation(post)
        created, updated = body.pop("created_at"), body.pop("updated_at")
        body["thread"] = ReferenceThreadPart(post.thread_parts.order_by("position"), many=True).data
        body["created_at"], body["updated_at"] = created, updated
        return body


# Signed media URLs carry their expiry second: the clock stands still so both renderings sign alike.
pytestmark = pytest.mark.time_machine(datetime(2030, 6, 1, 12, tzinfo=timezone.utc), tick=False)


@pytest.fixture
def request_context():
    return {"request": APIRequestFactory().get("/api/v1/posts/")}


def populated_posts(workspace, author):
    """Posts with every field the representation reads set, null, and in an unusual time zone."""
    berlin = ZoneInfo("Europe/Berlin")
    a1, a2 = (ConnectedAccountFactory(workspace=workspace, platform=p) for p in ("x", "bluesky"))
    full = PostFactory(workspace=workspace, author=author, content="Grüße \u2028 ✨ #tag", status=Status.POSTED,
                       scheduled_time=datetime(2031, 3, 30, 1, 30, tzinfo=berlin), posted_at=datetime(2031, 3, 30, 0, 0, 0, tzinfo=timezone.utc))
    settings = {"subreddit": "python", "title": "Grüße", "ratio": 1.0, "n": 10, "nested": {"b": 1, "a": [1.5, None, "\u2028"]}}
    target = PostTargetFactory(post=full, account=a1, custom_content="variant", platform_specific_settings=settings, status=Status.POSTED, platform_post_id="123",
                               platform_post_url="https://x.com/a/status/123", error_message="", retry_count=2,
                               last_attempt_at=datetime(2031, 3, 30, 0, 0, 0, 5, tzinfo=timezone.utc), posted_at=full.posted_at)
    PostTargetFactory(post=full, account=a2, status=Status.FAILED, error_message="Too long", next_attempt_at=datetime(2031, 3, 30, 0, 0, 1, 500000, tzinfo=timezone.utc))
    PublishAttempt.objects.create(target=target, attempt_number=1, started_at=full.posted_at - timedelta(seconds=30),
                                  finished_at=None, outcome="retry", error_class="TransientError", http_status=503, message="later")
    PublishAttempt.objects.create(target=target, attempt_number=2, started_at=full.posted_at, finished_at=full.posted_at,
                                  outcome="success", message="ok")
    FirstComment.objects.create(post=full, content="Links ✨ below", delay_seconds=90)  # first_comments
    FirstCommentDelivery.objects.create(target=target, content="Links ✨ below", status="posted", due_at=full.posted_at + timedelta(seconds=90),
                                        posted_at=datetime(2031, 3, 30, 0, 1, 30, 250, tzinfo=timezone.utc), url="https://x.com/a/status/124",
                                        platform_comment_id="124", attempts=1)
    ThreadPart.objects.create(post=full, position=1, content="Part ✨ two", media_ids=[7, 9])  # threads
    TargetPartPublication.objects.create(target=target, position=0, platform_post_id="123", platform_post_url="https://x.com/a/status/123",
                                         posted_at=datetime(2031, 3, 30, 0, 0, 0, 250, tzinfo=timezone.utc))
    for order, media in enumerate([MediaFileFactory(workspace=workspace, alt_text="first"), MediaFileFactory(workspace=workspace, duration=1.5)]):
        PostMedia.objects.create(post=full, media=media, order=order)
    queue = PostQueueFactory(workspace=workspace)
    queued = PostFactory(workspace=workspace, author=None, status=Status.SCHEDULED, scheduled_time=datetime(2031, 1, 1, tzinfo=timezone.utc))
    QueuedPost.objects.create(queue=queue, post=queued, position=0)
    PostFactory(workspace=workspace, author=author, content="", status=Status.DRAFT)
    queue.target_accounts.set([a1, a2])
    return queue


@pytest.mark.django_db
def test_the_post_list_renders_exactly_as_drf_would(user, workspace, request_context):
    populated_posts(workspace, user)
    posts = list(Post.objects.filter(workspace=workspace).order_by("id"))
    fast = PostSerializer(posts, many=True, context=request_context).data
    reference = ReferencePost(posts, many=True, context=request_context).data
    assert fast == reference
    assert len(fast) == 3 and fast[0]["targets"][0]["attempts"][1]["outcome"] == "success"


@pytest.mark.django_db
def test_the_fast_renderer_writes_the_same_bytes_as_drfs(user, workspace, request_context):
    queue = populated_posts(workspace, user)
    data = {
        "posts": PostSerializer(list(Post.objects.filter(workspace=workspace).order_by("id")), many=True, context=request_context).data,
        "queue": PostQueueSerializer(PostQueue.objects.get(pk=queue.pk), context=request_context).data,
        "numbers": [0, -1, 2**63 - 1, 1.5, 0.1, None, True],
        "text": "line\u2028separator \u2029 \"quoted\" \\ é 😀",
    }
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


@pytest.mark.django_db
def test_the_analytics_overview_and_history_render_exactly_as_drf_would(user, workspace):
    from analytics.models import AnalyticsSnapshot, PostAnalytics
    from analytics.serializers import OverviewSerializer, PostHistorySerializer
    from analytics.services import post_history, workspace_overview

    populated_posts(workspace, user)
    target = PostTarget.objects.filter(post__workspace=workspace, status=Status.POSTED).first()
    PostAnalytics.objects.create(target=target, likes=3, reposts=1, replies=2, impressions=40)
    AnalyticsSnapshot.objects.create(target=target, snapshot_data={"likes": 3})
    since = datetime(2031, 3, 29, 12, tzinfo=ZoneInfo("America/New_York"))

    overview = workspace_overview(workspace=workspace, since=since)
    assert OverviewSerializer(overview).data == serializers.Serializer.to_representation(OverviewSerializer(), overview)
    history = post_history(post=target.post)
    assert PostHistorySerializer(history).data == serializers.Serializer.to_representation(PostHistorySerializer(), history)
    assert OverviewSerializer(overview).data["since"] == "2031-03-29T16:00:00Z"


@pytest.mark.django_db
def test_the_queue_list_renders_exactly_as_drf_would(user, workspace, request_context):
    from social_media.api.serializers import upcoming_entries

    queue = populated_posts(workspace, user)
    fresh = PostQueue.objects.get(pk=queue.pk)
    fast = PostQueueSerializer(fresh, context=request_context).data
    reference = serializers.ModelSerializer.to_representation(PostQueueSerializer(context=request_context), fresh)
    reference["upcoming"] = [
        {"post": e.post_id, "position": e.position, "scheduled_time": serializers.DateTimeField().to_representation(e.post.scheduled_time), "status": e.post.status}
        for e in upcoming_entries(fresh.entries.all())
    ]
    assert fast == reference
    assert fast["upcoming"][0]["status"] == "scheduled" and len(fast["target_accounts"]) == 2


@pytest.mark.django_db
def test_a_media_file_renders_exactly_as_drf_would(workspace):
    from media.models import MediaFolder

    folder = MediaFolder.objects.create(workspace=workspace, name="Brand")
    media = MediaFileFactory(workspace=workspace, alt_text="logo", duration=2.5, folder=folder)
    media.tags.create(workspace=workspace, name="summer")
    media.tags.create(workspace=workspace, name="autumn")
    for item in (media, MediaFileFactory(workspace=workspace)):
        assert MediaFileSerializer(item).data == serializers.ModelSerializer.to_representation(MediaFileSerializer(), item)


@pytest.mark.django_db
def test_a_tagged_foldered_video_renders_as_drf_would_in_the_library_and_in_a_post(user, workspace, request_context):
    from media.models import MediaFolder, MediaTag

    folder = MediaFolder.objects.create(workspace=workspace, name="Launch")
    video = MediaFileFactory(workspace=workspace, media_type="video", mime_type="video/mp4", duration=12.0, folder=folder,
                             video_info={"codec": "h264"}, sha256="ab" * 32)
    video.thumbnail.name = f"workspaces/{workspace.pk}/thumb.jpg"
    video.save()
    video.tags.set([MediaTag.objects.create(workspace=workspace, name=name) for name in ("zeta", "alpha", "Été", "eta", "Zulu")])
    post = PostFactory(workspace=workspace, author=user)
    PostMedia.objects.create(post=post, media=video, order=3)

    library = MediaFileSerializer(video).data
    [attachment] = PostSerializer(post, context=request_context).data["media"]

    assert library == reference_media(video)
    assert attachment == {**reference_media(video), "order": 3}
    assert library["tags"] == ["Zulu", "alpha", "eta", "zeta", "Été"]  # by code point, whatever the database collation
    assert library["folder"] == folder.pk and library["thumbnail_url"].startswith("http") and attachment["duration"] == 12.0
