"""X's publishing rules, checked by XAdapter.validate before any network call (no server needed)."""

import pytest

from social_media.platforms import PlatformFactory
from social_media.platforms.base import MediaItem
from social_media.platforms.x.text import texts_match, weighted_length
from tests.factories import ConnectedAccountFactory

MB = 1024 * 1024


def adapter(**platform_settings):
    return PlatformFactory.get_platform(ConnectedAccountFactory.build(platform="x", platform_settings=platform_settings))


def item(media_type="image", mime_type="image/png", size=100_000, duration=None, alt_text=""):
    def unreadable():
        raise AssertionError("validation must not read the file")

    return MediaItem(media_id=1, media_type=media_type, mime_type=mime_type, file_size=size, width=10, height=10,
                     duration=duration, alt_text=alt_text, open=unreadable)


# --- weighted text length (twitter-text v3) --------------------------------------------------
def test_it_accepts_280_ascii_characters_and_rejects_281():
    assert adapter().validate("a" * 280, []) == []
    assert adapter().validate("a" * 281, []) == [
        "The text counts 281 characters on X, over its limit of 280 (links count 23, emoji and CJK characters count 2)."
    ]


def test_it_counts_cjk_characters_twice():
    assert weighted_length("中" * 140) == 280
    assert adapter().validate("中" * 140, []) == []
    assert "counts 282 characters" in adapter().validate("中" * 141, [])[0]


def test_it_counts_any_url_as_23_characters():
    long_url = "https://example.com/" + "a" * 300
    assert weighted_length(long_url) == 23
    assert adapter().validate("x" * 256 + " " + long_url, []) == []  # 256 + 1 + 23 = 280
    assert adapter().validate("x" * 257 + " " + long_url, [])


@pytest.mark.parametrize("emoji", ["😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈"])
def test_it_counts_an_emoji_sequence_as_two(emoji):
    assert weighted_length(emoji) == 2
    assert adapter().validate("a" * 278 + emoji, []) == []
    assert adapter().validate("a" * 279 + emoji, [])


def test_it_counts_text_after_nfc_normalisation():
    decomposed = "e\u0301" * 280  # 'é' as e + combining accent: 280 characters once composed
    assert adapter().validate(decomposed, []) == []


def test_it_uses_the_accounts_long_post_limit_when_set():
    paid = adapter(max_weighted_length=25_000)
    assert paid.validate("a" * 25_000, []) == []
    assert paid.validate("a" * 25_001, []) == [
        "The text counts 25,001 characters on X, over its limit of 25,000 (links count 23, emoji and CJK characters count 2)."
    ]


def test_it_rejects_characters_x_refuses():
    assert adapter().validate("hello \ufffe world", []) == ["The text contains characters X does not accept (such as U+FFFE or U+FEFF)."]


def test_it_needs_text_or_media():
    assert adapter().validate("   ", []) == ["X needs text or at least one attachment."]
    assert adapter().validate("", [item()]) == []


# --- media -----------------------------------------------------------------------------------
def test_it_accepts_four_images_and_rejects_five():
    assert adapter().validate("pics", [item()] * 4) == []
    assert adapter().validate("pics", [item()] * 5) == ["X allows at most 4 images per post; this post has 5."]


def test_it_rejects_mixing_a_video_or_gif_with_other_media():
    video = item("video", "video/mp4", 10 * MB, duration=30)
    gif = item("gif", "image/gif", 1 * MB)
    expected = ["X allows one GIF or one video per post, with no other attachments; this post has 2."]
    assert adapter().validate("clip", [video, item()]) == expected
    assert adapter().validate("clip", [gif, gif]) == expected
    assert adapter().validate("clip", [video]) == []
    assert adapter().validate("clip", [gif]) == []


def test_it_rejects_files_over_the_size_limits_with_figures():
    assert adapter().validate("big", [item(size=5 * MB)]) == []
    assert adapter().validate("big", [item(size=6 * MB)]) == ["Image 1 is 6 MB; X accepts at most 5 MB."]
    assert adapter().validate("big", [item("gif", "image/gif", 16 * MB)]) == ["The GIF (attachment 1) is 16 MB; X accepts at most 15 MB."]
    assert adapter().validate("big", [item("video", "video/mp4", 513 * MB, duration=10)]) == [
        "The video (attachment 1) is 513 MB; X accepts at most 512 MB."
    ]


def test_it_rejects_videos_longer_than_140_seconds_unless_the_account_allows_more():
    long_video = item("video", "video/mp4", 50 * MB, duration=141.5)
    assert adapter().validate("clip", [long_video]) == ["The video (attachment 1) is 141.5 seconds long; X accepts at most 140 seconds."]
    assert adapter().validate("clip", [item("video", "video/mp4", 50 * MB, duration=140)]) == []
    assert adapter(max_video_seconds=600).validate("clip", [long_video]) == []


def test_it_rejects_file_types_x_does_not_take():
    assert adapter().validate("x", [item(mime_type="image/tiff")]) == ["Image 1 is image/tiff; X accepts JPEG, PNG, WebP, GIF here."]
    assert adapter().validate("x", [item("video", "video/x-msvideo", duration=3)]) == [
        "The video (attachment 1) is video/x-msvideo; X accepts MP4, MOV here."
    ]
    assert adapter().validate("x", [item("audio", "audio/mpeg")]) == ["Attachment 1 is of type 'audio'; X accepts images, GIFs and videos."]


def test_it_rejects_alt_text_over_1000_characters():
    assert adapter().validate("x", [item(alt_text="a" * 1000)]) == []
    assert adapter().validate("x", [item(alt_text="a" * 1001)]) == [
        "The alt text of attachment 1 is 1,001 characters; X accepts at most 1,000."
    ]


def test_it_reports_every_problem_at_once():
    errors = adapter().validate("a" * 300, [item(size=9 * MB)] * 5)
    assert len(errors) == 7  # text, count, five sizes


# --- recognising our post in X's timeline -------------------------------------------------------
@pytest.mark.parametrize(
    "ours, theirs",
    [
        ("Hello world", "Hello world"),
        ("Hello   world\n", "Hello world"),
        ("Read https://example.com/a/very/long/path?q=1 now", "Read https://t.co/AbC123xyZ0 now"),
        ("Fish & chips <3", "Fish &amp; chips &lt;3"),
        ("Caf\u00e9", "Cafe\u0301"),
        ("With a picture", "With a picture https://t.co/Media12345"),
        ("", "https://t.co/Media12345"),
    ],
)
def test_it_matches_our_text_as_x_returns_it(ours, theirs):
    assert texts_match(ours, theirs)


@pytest.mark.parametrize(
    "ours, theirs",
    [
        ("Hello world", "Hello world!"),
        ("Read https://example.com now", "Read https://evil.example now"),
        ("Read https://example.com now", "Read now"),
        ("", "Something else"),
    ],
)
def test_it_does_not_match_other_posts(ours, theirs):
    assert not texts_match(ours, theirs)
