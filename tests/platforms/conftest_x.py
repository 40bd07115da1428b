"""X servers for adapter tests.

- `x_fake` (session): tests/fakes/x_fake.py on a free 127.0.0.1 port; faults and the request log are
  cleared before every test that uses `x_settings`.
- `x_settings` (per test): points X_API_BASE_URL / X_AUTHORIZE_URL / client credentials at the fake.
- `x_account` (per test): a ConnectedAccount for a fresh fake user with live tokens, so tests never see
  each other's posts (X refuses duplicate content).
"""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from media.models import MediaFile
from social_media.platforms.base import MediaItem
from tests.factories import ConnectedAccountFactory, MediaFileFactory
from tests.fakes.x_fake import XFake

__all__ = ["x_fake", "x_settings", "x_account", "make_x_account"]

X_CLIENT_ID = "x-test-client"
X_CLIENT_SECRET = "x-test-secret"


@pytest.fixture(scope="session")
def x_fake():
    fake = XFake(client_id=X_CLIENT_ID, client_secret=X_CLIENT_SECRET)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def x_settings(settings, x_fake):
    x_fake.reset()
    x_fake.check_after_secs = 1
    settings.X_API_BASE_URL = x_fake.base_url
    settings.X_AUTHORIZE_URL = f"{x_fake.base_url}/i/oauth2/authorize"
    settings.X_CLIENT_ID = X_CLIENT_ID
    settings.X_CLIENT_SECRET = X_CLIENT_SECRET
    settings.X_TIMEOUT_SECONDS = 5
    settings.ALLOW_INSECURE_NETWORK_URLS = True
    return settings


def make_x_account(fake: XFake, **user_options):
    """A saved ConnectedAccount for a new fake X user, holding tokens the fake issued."""
    user = fake.add_user(**user_options)
    tokens = fake.issue_tokens(user)
    return ConnectedAccountFactory(
        platform="x",
        platform_user_id=user.id,
        platform_username=user.username,
        display_name=user.name,
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        token_expires_at=timezone.now() + timedelta(seconds=tokens["expires_in"]),
        instance_url="",
        platform_settings={},
    )


@pytest.fixture
def x_account(x_settings, x_fake, db):
    return make_x_account(x_fake)


# --- attachments as the engine hands them to adapters --------------------------------------
def media_item(media):
    storage, name = media.file.storage, media.file.name
    return MediaItem(media_id=media.pk, media_type=media.media_type, mime_type=media.mime_type, file_size=media.file_size,
                     width=media.width, height=media.height, duration=media.duration, alt_text=media.alt_text,
                     open=lambda: storage.open(name, "rb"))


def png(account, alt_text=""):
    media = MediaFileFactory(workspace=account.workspace, alt_text=alt_text)
    media.file_size = media.file.size
    return media_item(media)


def video(account, size):
    media = MediaFileFactory(workspace=account.workspace, media_type=MediaFile.MediaType.VIDEO, mime_type="video/mp4",
                             file=ContentFile(b"\x00\x00\x00\x18ftypmp42" + b"v" * (size - 12), name="clip.mp4"),
                             file_size=size, duration=12.5, width=640, height=360, original_filename="clip.mp4")
    return media_item(media)
