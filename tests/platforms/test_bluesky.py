"""The Bluesky adapter against the reference PDS: publishing, media, facets, idempotency, deletes and
metrics. What the server stores is what we assert."""

import shutil
import subprocess
from datetime import timedelta

import pytest
from atproto_client import models
from atproto_client.exceptions import BadRequestError
from django.core.files.base import ContentFile
from django.utils import timezone

from social_media.platforms import PlatformFactory
from social_media.platforms.base import InvalidContent, MediaItem, TransientError
from social_media.platforms.bluesky.errors import PUBLISH, translate
from social_media.platforms.bluesky.session import open_client, record_key
from tests.factories import MediaFileFactory, PostFactory, PostTargetFactory
from tests.platforms.conftest_bluesky import BlueskyRemote
from tests.platforms.contract import AdapterContract
from tests.services import free_port

pytestmark = [pytest.mark.network, pytest.mark.django_db]


@pytest.fixture
def account(connect_bluesky):
    return connect_bluesky()


@pytest.fixture
def remote(account, bluesky_pds):
    return BlueskyRemote(bluesky_pds, account.platform_user_id)


def make_target(account, content):
    return PostTargetFactory(post=PostFactory(workspace=account.workspace, content=content), account=account)


def media_item(media):
    storage, name = media.file.storage, media.file.name
    return MediaItem(
        media_id=media.pk, media_type=media.media_type, mime_type=media.mime_type, file_size=media.file_size,
        width=media.width, height=media.height, duration=media.duration, alt_text=media.alt_text,
        open=lambda: storage.open(name, "rb"),
    )


def read(item):
    with item.open() as handle:
        return handle.read()


@pytest.fixture
def png_item(account):
    def make(width, height, alt):
        media = MediaFileFactory(
            workspace=account.workspace, file__width=width, file__height=height, file__color="red", width=width, height=height, alt_text=alt
        )
        media.file_size = media.file.size
        media.save(update_fields=["file_size"])
        return media_item(media)

    return make


@pytest.fixture
def mp4_item(account, tmp_path):
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is needed to make an MP4 (make services-deps installs it)")

    def make(alt):
        path = tmp_path / "clip.mp4"
        subprocess.run(
            ["ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10", "-t", "1", "-pix_fmt", "yuv420p", str(path)],
            check=True,
        )
        data = path.read_bytes()
        media = MediaFileFactory(
            workspace=account.workspace, media_type="video", mime_type="video/mp4", original_filename="clip.mp4",
            file=ContentFile(data, name="clip.mp4"), file_size=len(data), width=64, height=48, duration=1.0, alt_text=alt,
        )
        return media_item(media)

    return make


class TestBlueskyContract(AdapterContract):
    too_long_text = "a" * 301


# --- publish ----------------------------------------------------------------------------------
def test_it_publishes_text_at_the_record_key_derived_from_the_target(account, bluesky_pds):
    target = make_target(account, "Plain text from the scheduler")
    result = PlatformFactory.get_platform(account).publish(target, target.content, [])

    rkey = record_key(target)
    assert result.platform_post_id == f"at://{account.platform_user_id}/app.bsky.feed.post/{rkey}"
    assert result.url == f"https://bsky.app/profile/{account.platform_username}/post/{rkey}"
    stored = bluesky_pds.get_post(result.platform_post_id)
    assert stored["$type"] == "app.bsky.feed.post"
    assert stored["text"] == "Plain text from the scheduler"
    assert "facets" not in stored and "embed" not in stored
    assert abs(result.published_at - timezone.now()) < timedelta(minutes=1)


def test_it_publishes_two_images_with_alt_text_and_aspect_ratio(account, bluesky_pds, png_item):
    first, second = png_item(120, 80, "A red rectangle"), png_item(50, 100, "A tall one")
    target = make_target(account, "Two pictures")
    result = PlatformFactory.get_platform(account).publish(target, target.content, [first, second])

    embed = bluesky_pds.get_post(result.platform_post_id)["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    assert [image["alt"] for image in embed["images"]] == ["A red rectangle", "A tall one"]
    assert [(image["aspectRatio"]["width"], image["aspectRatio"]["height"]) for image in embed["images"]] == [(120, 80), (50, 100)]
    for item, image in zip([first, second], embed["images"]):
        blob = image["image"]
        assert (blob["mimeType"], blob["size"]) == ("image/png", item.file_size)
        served = bluesky_pds.xrpc("GET", "com.atproto.sync.getBlob", params={"did": account.platform_user_id, "cid": blob["ref"]["$link"]})
        assert served.content == read(item)


def test_it_publishes_one_mp4_video_as_a_video_embed(account, bluesky_pds, mp4_item):
    video = mp4_item("A short test pattern")
    target = make_target(account, "A video")
    result = PlatformFactory.get_platform(account).publish(target, target.content, [video])

    embed = bluesky_pds.get_post(result.platform_post_id)["embed"]
    assert embed["$type"] == "app.bsky.embed.video"
    assert embed["alt"] == "A short test pattern"
    assert (embed["aspectRatio"]["width"], embed["aspectRatio"]["height"]) == (64, 48)
    assert (embed["video"]["mimeType"], embed["video"]["size"]) == ("video/mp4", video.file_size)


def test_it_stores_facets_with_utf8_byte_offsets(connect_bluesky, bluesky_pds):
    account, bob = connect_bluesky(), connect_bluesky()
    text = f"🦋 Café notes: https://example.com/a?b=1 #atproto with @{bob.platform_username} and @nobody.test"
    target = make_target(account, text)
    result = PlatformFactory.get_platform(account).publish(target, text, [])

    stored = bluesky_pds.get_post(result.platform_post_id)
    encoded = text.encode("utf-8")
    spans = {}
    for facet in stored["facets"]:
        feature = facet["features"][0]
        spans[feature["$type"]] = (encoded[facet["index"]["byteStart"]:facet["index"]["byteEnd"]].decode(), feature)
    assert spans["app.bsky.richtext.facet#link"] == ("https://example.com/a?b=1", {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/a?b=1"})
    assert spans["app.bsky.richtext.facet#tag"] == ("#atproto", {"$type": "app.bsky.richtext.facet#tag", "tag": "atproto"})
    assert spans["app.bsky.richtext.facet#mention"] == (
        f"@{bob.platform_username}", {"$type": "app.bsky.richtext.facet#mention", "did": bob.platform_user_id}
    )
    assert len(stored["facets"]) == 3  # @nobody.test does not resolve and stays plain text
    # The link starts after "🦋 Café notes: ": 4 + 1 + 5 + 8 bytes, though only 15 characters.
    link = next(f for f in stored["facets"] if f["features"][0]["$type"].endswith("#link"))
    assert link["index"]["byteStart"] == 18


def test_it_publishes_the_same_target_twice_as_one_record(account, bluesky_pds):
    target = make_target(account, "Only once, please")
    adapter = PlatformFactory.get_platform(account)
    first = adapter.publish(target, target.content, [])
    second = adapter.publish(target, target.content, [])

    assert second.platform_post_id == first.platform_post_id
    assert second.url == first.url
    assert [record["uri"] for record in bluesky_pds.list_posts(account.platform_user_id)] == [first.platform_post_id]


def test_it_rejects_301_graphemes_before_calling_the_pds(account, bluesky_pds):
    target = make_target(account, "é" * 301)
    with pytest.raises(InvalidContent) as caught:
        PlatformFactory.get_platform(account).publish(target, target.content, [])
    assert caught.value.errors == ["Bluesky allows 300 characters; this post has 301."]
    assert bluesky_pds.list_posts(account.platform_user_id) == []


def test_the_pds_itself_rejects_301_graphemes_as_invalid_content(account, bluesky_pds):
    record = models.AppBskyFeedPost.Record(text="x" * 301, created_at="2026-01-01T00:00:00.000Z")
    data = models.ComAtprotoRepoCreateRecord.Data(repo=account.platform_user_id, collection="app.bsky.feed.post", record=record)
    with open_client(account.instance_url, did=account.platform_user_id, handle=account.platform_username, access_jwt=account.access_token) as client:
        with pytest.raises(BadRequestError) as raised:  # validation bypassed: the client talks to the PDS directly
            client.com.atproto.repo.create_record(data)
    error = translate(raised.value, action=PUBLISH)
    assert isinstance(error, InvalidContent)
    assert error.http_status == 400
    assert error.message.startswith("Bluesky rejected the post: Invalid app.bsky.feed.post record")
    assert "maximum 300, got 301" in error.message
    assert bluesky_pds.list_posts(account.platform_user_id) == []


def test_it_refuses_to_delete_a_post_of_another_account(account):
    with pytest.raises(InvalidContent):
        PlatformFactory.get_platform(account).delete("at://did:plc:someoneelse/app.bsky.feed.post/3kabcdefghijk")


# --- metrics ----------------------------------------------------------------------------------
def test_it_reports_missing_metrics_on_a_bare_pds_as_transient(account):
    target = make_target(account, "Count my likes")
    adapter = PlatformFactory.get_platform(account)
    result = adapter.publish(target, target.content, [])
    with pytest.raises(TransientError) as caught:
        adapter.fetch_metrics(result.platform_post_id)
    assert "no AppView" in caught.value.message


def test_it_raises_transient_error_when_the_pds_refuses_connections(account):
    account.instance_url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    target = make_target(account, "Nobody listening")
    with pytest.raises(TransientError, match="nothing was sent"):
        PlatformFactory.get_platform(account).publish(target, target.content, [])
