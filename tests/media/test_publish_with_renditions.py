"""Scheduling and publishing with renditions, through the engine's own services and the real Bluesky PDS:
the network receives the rendition made for it; what no rendition can fix is refused at schedule time."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from rest_framework.exceptions import ValidationError

from media.models import MediaRendition
from social_media.models import PostMedia, Status
from social_media.services.posts import post_publish_now, post_schedule
from social_media.services.publishing import target_publish
from tests.factories import PostFactory, PostTargetFactory

from .conftest import make_video, photo_jpeg, stored_media


def post_with(account, media_files, content="With media"):
    post = PostFactory(workspace=account.workspace, content=content)
    for order, media in enumerate(media_files):
        PostMedia.objects.create(post=post, media=media, order=order)
    target = PostTargetFactory(post=post, account=account)
    return post, target


@pytest.mark.network
@pytest.mark.django_db(transaction=True)
def test_a_13_mb_photo_scheduled_to_bluesky_is_published_as_its_rendition(connect_bluesky, bluesky_pds, media_root):
    account = connect_bluesky()
    media = stored_media(account.workspace, "IMG_1234.jpg", photo_jpeg())
    assert media.file_size > 1_200_000
    post, target = post_with(account, [media], "A big photo")

    post_publish_now(post=post)  # validates against Bluesky's rules with the rendition: no error
    outcome = target_publish(target_id=target.pk)

    assert outcome.status == Status.POSTED, outcome
    target.refresh_from_db()
    embed = bluesky_pds.get_post(target.platform_post_id)["embed"]
    [image] = embed["images"]
    rendition = MediaRendition.objects.get(media=media)
    assert image["image"]["mimeType"] == "image/jpeg"
    assert image["image"]["size"] == rendition.file_size <= 1_000_000
    served = bluesky_pds.xrpc("GET", "com.atproto.sync.getBlob", params={"did": account.platform_user_id, "cid": image["image"]["ref"]["$link"]})
    with rendition.file.open("rb") as handle:
        assert served.content == handle.read()
    with Image.open(io.BytesIO(served.content)) as sent:
        assert sent.size == (1800, 1350) and not sent.getexif()


@pytest.mark.django_db
class TestScheduleTimeMediaChecks:
    def test_a_video_too_long_for_bluesky_is_refused_saying_what_to_do(self, connect_bluesky_free, media_root, tmp_path):
        account = connect_bluesky_free
        media = stored_media(account.workspace, "long.mp4", make_video(tmp_path / "long.mp4", seconds=200, size="64x48", audio=False).read_bytes())
        post, _target = post_with(account, [media])

        with pytest.raises(ValidationError) as caught:
            post_schedule(post=post, at=timezone.now() + timedelta(hours=1))

        [message] = caught.value.detail["targets"][str(account.pk)]
        assert message.startswith("This video is 3 min 20 s; Bluesky takes 3 min at most.")
        assert "Trim it" in message

    def test_a_hevc_phone_video_is_accepted_and_transcoded_for_bluesky(self, connect_bluesky_free, media_root, tmp_path):
        from media.probe import probe
        from social_media.services.validation import media_items_for

        account = connect_bluesky_free
        clip = make_video(tmp_path / "IMG_0001.MOV", seconds=3, size="320x240", codec="libx265", container="mov", rotate=90)
        media = stored_media(account.workspace, "IMG_0001.MOV", clip.read_bytes())
        assert (media.mime_type, media.video_info["video"]["codec"]) == ("video/quicktime", "hevc")
        post, target = post_with(account, [media])

        post_schedule(post=post, at=timezone.now() + timedelta(hours=1))  # planned, not refused
        [item] = media_items_for(post, target)  # what publishing sends: made now

        rendition = MediaRendition.objects.get(media=media)
        assert (item.mime_type, item.file_size) == ("video/mp4", rendition.file_size)
        info = probe(rendition.file.path)
        assert (info["video"]["codec"], info["audio"]["codec"]) == ("h264", "aac")
        assert (info["video"]["width"], info["video"]["height"], info["video"]["rotation"]) == (240, 320, 0)  # upright
        assert rendition.details["reasons"] == ["container video/quicktime", "video codec hevc"]
        with rendition.file.open("rb") as handle:
            head = handle.read(64 * 1024)
        assert head.find(b"moov") < head.find(b"mdat") or b"mdat" not in head  # +faststart: index first

    def test_an_h264_mp4_needs_no_transcode_for_bluesky(self, connect_bluesky_free, media_root, tmp_path):
        from social_media.services.validation import media_items_for

        account = connect_bluesky_free
        media = stored_media(account.workspace, "clip.mp4", make_video(tmp_path / "clip.mp4").read_bytes())
        post, target = post_with(account, [media])

        [item] = media_items_for(post, target)

        assert item.cache_key == media.file.name
        assert not MediaRendition.objects.exists()

    def test_a_failed_media_file_is_reported_per_target(self, connect_bluesky_free, media_root):
        from media.models import MediaFile

        account = connect_bluesky_free
        media = stored_media(account.workspace, "a.jpg", photo_jpeg(100, 100))
        MediaFile.objects.filter(pk=media.pk).update(status="failed", status_reason="The thumbnail could not be made.")
        media.refresh_from_db()
        post, _target = post_with(account, [media])

        with pytest.raises(ValidationError) as caught:
            post_schedule(post=post, at=timezone.now() + timedelta(hours=1))

        assert "could not be processed: The thumbnail could not be made." in caught.value.detail["targets"][str(account.pk)][0]

    def test_a_photo_whose_stored_file_is_gone_is_refused_saying_what_to_do(self, connect_bluesky_free, media_root):
        account = connect_bluesky_free
        media = stored_media(account.workspace, "gone.jpg", photo_jpeg(100, 100))
        media.file.storage.delete(media.file.name)
        post, _target = post_with(account, [media])

        with pytest.raises(ValidationError) as caught:
            post_schedule(post=post, at=timezone.now() + timedelta(hours=1))

        [message] = caught.value.detail["targets"][str(account.pk)]
        assert message == "Image 1 (gone.jpg): its stored file is missing. Remove it and upload it again."

    def test_a_rendition_of_a_file_that_is_gone_says_so(self, connect_bluesky_free, media_root):
        from media.renditions import RenditionFailed, rendition_for
        from media.specs import spec_for

        account = connect_bluesky_free
        media = stored_media(account.workspace, "IMG_9.jpg", photo_jpeg())  # > 1 MB: Bluesky needs a rendition
        media.file.storage.delete(media.file.name)

        with pytest.raises(RenditionFailed) as caught:
            rendition_for(media, "bluesky", spec_for(account))

        assert caught.value.message == "The image's stored file is missing. Remove it and upload it again."


@pytest.mark.django_db(transaction=True)  # the engine publishes on its own threads and connections
def test_a_file_lost_after_scheduling_fails_its_target_with_the_reason_and_sends_nothing(connect_bluesky_free, media_root):
    from social_media.models import PublishAttempt

    account = connect_bluesky_free
    media = stored_media(account.workspace, "lost.jpg", photo_jpeg(100, 100))
    post, target = post_with(account, [media])
    post_publish_now(post=post)  # checked and dispatched while the file is there
    media.file.storage.delete(media.file.name)

    outcome = target_publish(target_id=target.pk)

    assert outcome.status == Status.FAILED  # known: nothing reached the network, so not "unconfirmed"
    target.refresh_from_db()
    assert target.error_message == "Image 1 (lost.jpg): its stored file is missing. Remove it and upload it again."
    assert PublishAttempt.objects.get(target=target).error_class == "InvalidContent"


@pytest.fixture
def connect_bluesky_free(db):
    """A Bluesky account row for checks that never reach the network."""
    from tests.factories import ConnectedAccountFactory

    return ConnectedAccountFactory(platform="bluesky")


def test_a_rendition_whose_stored_file_is_gone_is_made_again(connect_bluesky_free, media_root):
    from social_media.services.validation import media_items_for

    account = connect_bluesky_free
    media = stored_media(account.workspace, "IMG_7.jpg", photo_jpeg())  # > 1 MB: Bluesky gets a rendition
    post, target = post_with(account, [media])
    [first] = media_items_for(post, target)
    old = MediaRendition.objects.get(media=media)
    old.file.storage.delete(old.file.name)

    [again] = media_items_for(post, target)

    new = MediaRendition.objects.get(media=media)
    assert new.pk != old.pk and new.file.storage.exists(new.file.name)
    with again.open() as handle:
        assert len(handle.read()) == again.file_size == new.file_size <= 1_000_000


def test_the_media_queue_makes_the_workspace_s_image_renditions_before_anyone_schedules(connect_bluesky_free, media_root):
    from media.renditions import premake_image_renditions
    from tests.factories import ConnectedAccountFactory

    bluesky = connect_bluesky_free
    ConnectedAccountFactory(workspace=bluesky.workspace, platform="x", platform_settings={})  # 5 MB: the photo fits as it is
    ConnectedAccountFactory(workspace=bluesky.workspace, platform="bluesky", platform_settings={})  # the same spec: one rendition
    media = stored_media(bluesky.workspace, "IMG_8.jpg", photo_jpeg())  # ~1.35 MB: over Bluesky's 1,000,000 bytes

    premade = premake_image_renditions(media)

    assert [r.spec_key.split(":")[0] for r in premade] == ["bluesky"]
    assert premade[0].file_size <= 1_000_000
    post, _target = post_with(bluesky, [media])
    post_schedule(post=post, at=timezone.now() + timedelta(hours=1))  # finds it: nothing made while waiting
    assert list(MediaRendition.objects.values_list("pk", flat=True)) == [premade[0].pk]


def test_a_newly_processed_upload_queues_its_renditions(connect_bluesky_free, media_root, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from media import services, tasks

    media, _ = services.media_upload(workspace=connect_bluesky_free.workspace, uploaded_by=None, uploaded_file=SimpleUploadedFile("a.jpg", photo_jpeg(200, 100)))
    queued = []
    monkeypatch.setattr(tasks.premake_renditions, "delay", queued.append)

    tasks.process_media(media.pk)

    assert queued == [media.pk]
    assert tasks.premake_renditions(media.pk) == 0  # a small photo every network takes as it is
