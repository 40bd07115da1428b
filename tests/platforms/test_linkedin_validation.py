"""LinkedIn's published limits, checked before any network call: 3,000 characters (UTF-16 code
units), up to 20 JPEG/PNG/GIF images of 5 MB, or one MP4 video of 75 KB-500 MB lasting 3 s-30 min."""

import pytest

from social_media.platforms import PlatformFactory
from social_media.platforms.base import MediaItem
from social_media.platforms.linkedin.text import from_commentary, to_commentary

pytestmark = pytest.mark.django_db


def item(media_type="image", mime_type="image/jpeg", file_size=1000, width=800, height=600, duration=None, alt_text=""):
    return MediaItem(media_id=1, media_type=media_type, mime_type=mime_type, file_size=file_size, width=width, height=height,
                     duration=duration, alt_text=alt_text, open=lambda: None)


@pytest.fixture
def validate(linkedin_settings):
    from tests.factories import ConnectedAccountFactory

    return PlatformFactory.get_platform(ConnectedAccountFactory(platform="linkedin", platform_user_id="urn:li:person:x")).validate


def test_it_accepts_3000_characters_and_rejects_3001_saying_by_how_much(validate):
    assert validate("a" * 3000, []) == []
    assert validate("a" * 3001, []) == ["LinkedIn allows 3,000 characters; this text has 3,001. Shorten it by 1."]


def test_emoji_count_as_two_and_escapes_do_not_count(validate):
    assert validate("😀" * 1500, []) == [] and validate("😀" * 1500 + "a", [])
    assert validate("(" * 3000, []) == []  # 6,000 characters once escaped, 3,000 as written


def test_a_post_needs_text_or_an_attachment(validate):
    assert validate("  ", []) == ["LinkedIn needs text or an attachment."]
    assert validate("", [item()]) == []


def test_image_limits(validate):
    assert validate("x", [item()] * 20) == []
    assert "up to 20 images" in validate("x", [item()] * 21)[0]
    assert "up to 5 MB" in validate("x", [item(file_size=5 * 1024 * 1024 + 1)])[0]
    assert "JPEG, PNG or GIF" in validate("x", [item(mime_type="image/webp")])[0]
    assert "36,152,320 pixels" in validate("x", [item(width=7000, height=6000)])[0]
    assert validate("x", [item(media_type="gif", mime_type="image/gif")]) == []


def test_video_limits(validate):
    ok = dict(media_type="video", mime_type="video/mp4", file_size=10 * 1024 * 1024, duration=60)
    assert validate("x", [item(**ok)]) == []
    assert "from 3 seconds to 30 minutes" in validate("x", [item(**{**ok, "duration": 2.5})])[0]
    assert "from 3 seconds to 30 minutes" in validate("x", [item(**{**ok, "duration": 30 * 60 + 1})])[0]
    assert "up to 500 MB" in validate("x", [item(**{**ok, "file_size": 501 * 1024 * 1024})])[0]
    assert "at least 75 KB" in validate("x", [item(**{**ok, "file_size": 10_000})])[0]
    assert "MP4" in validate("x", [item(**{**ok, "mime_type": "video/quicktime"})])[0]
    assert "one video" in " ".join(validate("x", [item(**ok), item(**ok)]))
    assert "not both" in " ".join(validate("x", [item(**ok), item()]))


def test_alt_text_limit(validate):
    assert "alt text" in validate("x", [item(alt_text="a" * 4087)])[0]


@pytest.mark.parametrize("text", ["plain", "a (b) [c] {d} <e> @f |g ~h *i* _j_ \\k", "#tag start", "C# and # 1", "mid#word", "#_x"])
def test_escaping_round_trips(text):
    assert from_commentary(to_commentary(text)) == text


def test_word_initial_hashtags_stay_hashtags_everything_else_is_escaped():
    assert to_commentary("#launch day, C# #2026 #_no mid#x") == "#launch day, C\\# #2026 \\#\\_no mid\\#x"
