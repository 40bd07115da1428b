"""Meta servers for adapter, connect and engine tests.

- `meta_fake` (session): tests/fakes/meta_fake/ on a free 127.0.0.1 port; reset before every test that
  uses `meta_settings`, which points META_* settings at it.
- `media_files` (session): tests/fakes/media_files.py, the signed public URLs Instagram downloads.
- `facebook_account` / `instagram_account`: a fresh fake user, Page and Instagram account, connected
  with the tokens the fake issued (Page token, long-lived user token as the renewable login).
- `meta_jpeg(account, media_files, ...)` / `meta_video(...)`: MediaItems with a working public_url.
"""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from media.models import MediaFile
from social_media.platforms.base import MediaItem
from tests.factories import ConnectedAccountFactory, MediaFileFactory
from tests.fakes.media_files import MediaFileServer
from tests.fakes.meta_fake import MetaFake

__all__ = ["meta_fake", "media_files", "meta_settings", "facebook_account", "instagram_account", "make_meta_accounts",
           "meta_jpeg", "meta_video", "META_APP_ID", "META_APP_SECRET"]

META_APP_ID = "meta-test-app"
META_APP_SECRET = "meta-test-secret"


@pytest.fixture(scope="session")
def meta_fake():
    fake = MetaFake(app_id=META_APP_ID, app_secret=META_APP_SECRET)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def media_files():
    server = MediaFileServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def meta_settings(settings, meta_fake):
    meta_fake.reset()
    settings.META_APP_ID, settings.META_APP_SECRET, settings.META_GRAPH_VERSION = META_APP_ID, META_APP_SECRET, meta_fake.version
    settings.META_GRAPH_BASE_URL = settings.META_GRAPH_VIDEO_BASE_URL = settings.META_AUTHORIZE_URL = meta_fake.base_url
    settings.META_TIMEOUT_SECONDS = 5
    settings.META_CONTAINER_POLL_SECONDS = 0  # the fake counts status reads, so no waiting is needed
    settings.META_CONTAINER_MAX_WAIT_SECONDS = 30
    settings.ALLOW_INSECURE_NETWORK_URLS = True
    return settings


def make_meta_accounts(fake: MetaFake, *, instagram=True, workspace=None):
    """(facebook account, instagram account or None) for a new fake user and Page, as connect stores them."""
    user = fake.add_user("Ada Baker")
    page = fake.add_page(user, f"Bakery {len(fake.pages)}", instagram=f"bakery{len(fake.pages)}" if instagram else None)
    user_token = fake.user_token(user)
    page_token = fake.page_token(user["id"], page["id"])
    common = {"access_token": page_token, "refresh_token": user_token, "token_expires_at": timezone.now() + timedelta(days=60),
              "instance_url": ""}
    if workspace is not None:
        common["workspace"] = workspace
    settings_ = {"meta_user_id": user["id"], "page_id": page["id"], "page_name": page["name"]}
    facebook = ConnectedAccountFactory(platform="facebook", platform_user_id=page["id"], platform_username=page["name"],
                                       display_name=page["name"], platform_settings=dict(settings_), **common)
    ig = None
    if instagram:
        ig_data = fake.instagram[page["instagram"]]
        common["workspace"] = facebook.workspace
        ig = ConnectedAccountFactory(platform="instagram", platform_user_id=ig_data["id"], platform_username=ig_data["username"],
                                     display_name=ig_data["name"], platform_settings=dict(settings_), **common)
    return facebook, ig


@pytest.fixture
def facebook_account(meta_settings, meta_fake, db):
    return make_meta_accounts(meta_fake, instagram=False)[0]


@pytest.fixture
def instagram_account(meta_settings, meta_fake, db):
    return make_meta_accounts(meta_fake)[1]


def _item(media, public_url):
    storage, name = media.file.storage, media.file.name
    return MediaItem(media_id=media.pk, media_type=media.media_type, mime_type=media.mime_type, file_size=media.file_size,
                     width=media.width, height=media.height, duration=media.duration, alt_text=media.alt_text,
                     open=lambda: storage.open(name, "rb"), public_url=(lambda: public_url) if public_url is not None else None)


def meta_jpeg(account, media_files=None, *, width=1080, height=1080, url=None, mime_type="image/jpeg", image_format="JPEG"):
    """A saved image MediaFile as a MediaItem; its public_url serves the same bytes from `media_files`
    (or `url` if given; None when neither)."""
    buffer = BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buffer, format=image_format)
    data = buffer.getvalue()
    media = MediaFileFactory(workspace=account.workspace, file=ContentFile(data, name="photo.jpg"), file_size=len(data),
                             mime_type=mime_type, width=width, height=height, original_filename="photo.jpg")
    if url is None and media_files is not None:
        url = media_files.publish(data, content_type=mime_type)
    return _item(media, url)


def meta_video(account, media_files=None, *, duration=12.0, size=4096):
    data = b"\x00\x00\x00\x18ftypmp42" + b"v" * (size - 12)
    media = MediaFileFactory(workspace=account.workspace, media_type=MediaFile.MediaType.VIDEO, mime_type="video/mp4",
                             file=ContentFile(data, name="clip.mp4"), file_size=size, duration=duration, width=1080,
                             height=1920, original_filename="clip.mp4")
    return _item(media, media_files.publish(data, content_type="video/mp4") if media_files is not None else None)
