"""Mastodon's counting and media rules, as the adapter's validate() applies them (no server needed)."""

import io

import pytest

from social_media.platforms import PlatformFactory
from social_media.platforms.base import MediaItem
from social_media.platforms.mastodon.validation import character_count
from tests.factories import ConnectedAccountFactory

pytestmark = pytest.mark.django_db

INSTANCE = {
    "max_characters": 500, "max_media_attachments": 4, "characters_reserved_per_url": 23, "description_limit": 1500,
    "image_size_limit": 16 * 1024 * 1024, "video_size_limit": 99 * 1024 * 1024, "video_matrix_limit": 8_294_400,
    "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "video/mp4"],
}


def validate(content, media=(), **overrides):
    account = ConnectedAccountFactory(platform_settings={**INSTANCE, **overrides})
    return PlatformFactory.get_platform(account).validate(content, list(media))


def item(mime_type="image/png", size=1000, alt_text="", width=100, height=100):
    media_type = "video" if mime_type.startswith("video/") else "image"
    return MediaItem(media_id=1, media_type=media_type, mime_type=mime_type, file_size=size, width=width, height=height,
                     duration=None, alt_text=alt_text, open=lambda: io.BytesIO(b""))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("hello", 5),
        ("read https://example.com/" + "a" * 200 + " now", 5 + 23 + 4),  # a URL counts 23, whatever its length
        ("example.com is not a link without a protocol", 44),
        ("hi @bob@mastodon.social!", 8),  # only the @user part of a remote mention counts
        ("hi @bob!", 8),
        ("👨‍👩‍👧 and 🇫🇷", 7),  # one grapheme per emoji sequence, like Ruby's each_grapheme_cluster
        ("e\u0301", 1),  # a combining accent belongs to its letter
        ("mail me at bob@example.com", 26),  # an e-mail address is not a mention
        ("   ", 0),
    ],
)
def test_it_counts_characters_the_way_mastodon_does(text, expected):
    assert character_count(text) == expected


def test_it_uses_the_instances_url_length():
    assert character_count("https://example.com/x", url_length=40) == 40


def test_it_accepts_exactly_the_limit_and_rejects_one_more():
    assert validate("a" * 499 + "🎉") == []
    assert validate("a" * 500 + "🎉") == ["The text is 501 characters; this Mastodon instance allows 500 (each link counts as 23)."]


def test_it_lets_links_fit_that_would_not_fit_by_length():
    long_link = "https://example.com/" + "p" * 600
    assert validate(f"{'w' * 470} {long_link}") == []


def test_it_requires_text_or_media():
    assert validate("  \n") == ["A Mastodon post needs text or at least one attachment."]
    assert validate("", [item()]) == []


def test_it_limits_the_number_of_attachments_to_the_instances_maximum():
    assert validate("four", [item()] * 4) == []
    assert validate("five", [item()] * 5) == ["The post has 5 attachments; this Mastodon instance allows at most 4."]
    assert validate("three", [item()] * 3, max_media_attachments=2) == ["The post has 3 attachments; this Mastodon instance allows at most 2."]


def test_it_does_not_combine_a_video_with_other_attachments():
    assert validate("clip", [item("video/mp4")]) == []
    assert validate("clip", [item("video/mp4"), item()]) == ["Mastodon does not allow a video or audio file together with other attachments."]


def test_it_checks_types_and_sizes_against_the_instance():
    assert validate("x", [item("image/heic")]) == ["Attachment 1 (image/heic) is not a file type this Mastodon instance accepts."]
    assert validate("x", [item(size=17 * 1024 * 1024)]) == [
        "Attachment 1 (image/png) is 17 MB; this Mastodon instance accepts images up to 16 MB."
    ]
    assert validate("x", [item("video/mp4", size=100 * 1024 * 1024)]) == [
        "Attachment 1 (video/mp4) is 100 MB; this Mastodon instance accepts videos up to 99 MB."
    ]
    assert validate("x", [item("video/mp4", width=7680, height=4320)]) == [
        "Attachment 1 (video/mp4) is 7680×4320 = 33,177,600 pixels; this Mastodon instance accepts videos up to 8,294,400 pixels."
    ]


def test_it_limits_alt_text_to_the_description_limit():
    assert validate("x", [item(alt_text="d" * 1500)]) == []
    assert validate("x", [item(alt_text="d" * 1501)]) == ["Attachment 1 (image/png) has a description of 1,501 characters; Mastodon allows 1,500."]


def test_it_uses_mastodon_defaults_when_the_instance_said_nothing():
    account = ConnectedAccountFactory(platform_settings={})
    adapter = PlatformFactory.get_platform(account)
    assert adapter.validate("a" * 500, [item("image/heic", size=10**9)]) == []
    assert adapter.validate("a" * 501, []) == ["The text is 501 characters; this Mastodon instance allows 500 (each link counts as 23)."]
