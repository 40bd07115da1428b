"""Bluesky rules that need no server: validation figures, record keys, facet byte offsets, error mapping."""

import re
import uuid
from datetime import datetime, timezone
from types import SimpleNamespace

import httpx
import pytest
from atproto_client import exceptions as atproto_errors
from atproto_client.models.common import XrpcError
from atproto_client.request import Response

from social_media.platforms.base import (
    AccountDisconnected, InvalidContent, MediaItem, OutcomeUnknown, PlatformError, TokenExpired, TransientError,
)
from social_media.platforms.bluesky.errors import CALL, LOGIN, METRICS, PUBLISH, REFRESH, translate
from social_media.platforms.bluesky.richtext import build_facets
from social_media.platforms.bluesky.rules import grapheme_count, validate
from social_media.platforms.bluesky.session import TID_ALPHABET, record_key, service_url, tid

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one grapheme, 18 UTF-8 bytes


def item(media_type="image", mime_type="image/png", file_size=1000, alt_text="", width=10, height=10):
    return MediaItem(
        media_id=1, media_type=media_type, mime_type=mime_type, file_size=file_size, width=width, height=height,
        duration=None, alt_text=alt_text, open=lambda: None,
    )


# --- validation -------------------------------------------------------------------------------
def test_it_counts_extended_grapheme_clusters():
    assert grapheme_count("e\u0301") == 1
    assert grapheme_count(FAMILY) == 1
    assert grapheme_count("\U0001f1e9\U0001f1ea") == 1  # a flag: two regional indicators


def test_it_accepts_300_graphemes_and_rejects_301():
    assert validate("e\u0301" * 300, []) == []  # 600 code points, 900 bytes, 300 graphemes
    assert validate("x" * 301, []) == ["Bluesky allows 300 characters; this post has 301."]


def test_it_rejects_text_over_3000_bytes_even_under_300_graphemes():
    assert validate(FAMILY * 166, []) == []  # 2,988 bytes
    assert validate(FAMILY * 167, []) == ["Bluesky allows 3,000 bytes of text; this post has 3,006."]


def test_it_rejects_an_empty_post_but_accepts_media_without_text():
    assert validate("   ", []) == ["A Bluesky post needs text or media."]
    assert validate("", [item()]) == []


def test_it_allows_four_images_and_rejects_five():
    assert validate("pics", [item()] * 4) == []
    assert validate("pics", [item()] * 5) == ["Bluesky allows at most 4 images per post; this post has 5."]


def test_it_rejects_an_image_over_1000000_bytes():
    assert validate("pic", [item(file_size=1_000_000)]) == []
    assert validate("pic", [item(), item(file_size=1_000_001)]) == [
        "Bluesky allows images up to 1,000,000 bytes; image 2 has 1,000,001."
    ]


def test_it_accepts_png_jpeg_webp_and_gif_images_only():
    for mime in ("image/png", "image/jpeg", "image/webp"):
        assert validate("pic", [item(mime_type=mime)]) == []
    assert validate("gif", [item(media_type="gif", mime_type="image/gif")]) == []
    assert validate("pic", [item(mime_type="image/tiff")]) == ["Bluesky accepts PNG, JPEG, WebP and GIF images; image 1 is image/tiff."]


def test_it_limits_image_alt_text_to_2000_characters():
    assert validate("pic", [item(alt_text="a" * 2000)]) == []
    assert validate("pic", [item(alt_text="a" * 2001)]) == ["Bluesky allows alt text up to 2,000 characters; image 1 has 2,001."]


def test_it_allows_one_mp4_video_up_to_50_mb():
    video = dict(media_type="video", mime_type="video/mp4")
    assert validate("clip", [item(file_size=50_000_000, **video)]) == []
    assert validate("clip", [item(file_size=50_000_001, **video)]) == ["Bluesky allows videos up to 50 MB; this video is 50.1 MB."]
    assert validate("clip", [item(**video), item(**video)]) == ["Bluesky allows one video per post; this post has 2."]
    assert validate("clip", [item(media_type="video", mime_type="video/quicktime")]) == [
        "Bluesky accepts MP4 videos only; this video is video/quicktime."
    ]
    assert validate("clip", [item(alt_text="a" * 1001, **video)]) == [
        "Bluesky allows video alt text up to 1,000 characters; this video has 1,001."
    ]


def test_it_rejects_images_combined_with_a_video():
    errors = validate("mixed", [item(), item(media_type="video", mime_type="video/mp4")])
    assert errors == ["Bluesky does not allow images and a video in the same post."]


def test_it_reports_every_problem_at_once():
    errors = validate("x" * 301, [item(file_size=2_000_000)] * 5)
    assert errors[0] == "Bluesky allows 300 characters; this post has 301."
    assert "Bluesky allows at most 4 images per post; this post has 5." in errors
    assert len(errors) == 2 + 5


# --- record keys ------------------------------------------------------------------------------
def target(created_at, key=None):
    return SimpleNamespace(idempotency_key=key or uuid.uuid4(), post=SimpleNamespace(created_at=created_at))


def decode_tid(value):
    number = 0
    for char in value:
        number = number * 32 + TID_ALPHABET.index(char)
    return number


def test_it_derives_a_valid_tid_record_key_from_the_target():
    created = datetime(2026, 3, 4, 5, 6, 7, 891_234, tzinfo=timezone.utc)
    first = target(created)
    rkey = record_key(first)

    assert re.fullmatch(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}", rkey)
    assert record_key(target(created, first.idempotency_key)) == rkey  # deterministic
    assert record_key(target(created)) != rkey  # another target, same millisecond
    micros = decode_tid(rkey) >> 10
    assert micros // 1000 == int(created.timestamp() * 1000)  # sorts by the post's creation time


def test_it_encodes_tids_in_sortable_base32():
    assert tid(0) == "2222222222222"
    assert tid(1) == "2222222222223"
    assert tid(2**63 - 1) == "bzzzzzzzzzzzz"
    assert tid(1 << 10) < tid(2 << 10)
    with pytest.raises(ValueError):
        tid(2**63)


# --- facets -----------------------------------------------------------------------------------
def test_it_computes_facet_byte_offsets_after_emoji():
    text = "🦋🦋 see https://example.com and #python, @alice.test or @ghost.test"
    facets = build_facets(text, {"alice.test": "did:plc:alice"}.get)
    encoded = text.encode()
    found = {f.features[0].py_type: encoded[f.index.byte_start:f.index.byte_end].decode() for f in facets}
    assert found == {
        "app.bsky.richtext.facet#link": "https://example.com",
        "app.bsky.richtext.facet#tag": "#python",
        "app.bsky.richtext.facet#mention": "@alice.test",
    }
    assert facets[0].index.byte_start == 13  # two 4-byte emoji + " see "
    assert [f.index.byte_start for f in facets] == sorted(f.index.byte_start for f in facets)


# --- service URLs and error mapping -----------------------------------------------------------
def test_it_accepts_https_and_loopback_http_service_urls_only(settings):
    assert service_url("https://bsky.social/") == "https://bsky.social"
    assert service_url("http://127.0.0.1:2583/xrpc") == "http://127.0.0.1:2583"
    settings.ALLOW_INSECURE_NETWORK_URLS = False
    with pytest.raises(PlatformError, match="https://"):
        service_url("http://127.0.0.1:2583")


def failed(status, error="", message="", headers=None):
    content = XrpcError(error=error, message=message) if error else None
    response = Response(success=False, status_code=status, content=content, headers=headers or {})
    kind = {400: atproto_errors.BadRequestError, 401: atproto_errors.UnauthorizedError, 403: atproto_errors.UnauthorizedError,
            429: atproto_errors.RateLimitExceededError}.get(status, atproto_errors.RequestException)
    return kind(response)


@pytest.mark.parametrize(
    "exc, action, expected",
    [
        (failed(400, "ExpiredToken", "Token has expired"), PUBLISH, TokenExpired),
        (failed(400, "ExpiredToken", "Token has been revoked"), REFRESH, AccountDisconnected),
        (failed(400, "InvalidToken"), REFRESH, AccountDisconnected),
        (failed(401, "AuthenticationRequired", "Invalid identifier or password"), LOGIN, AccountDisconnected),
        (failed(401, "AuthFactorTokenRequired"), LOGIN, AccountDisconnected),
        (failed(401, "AccountTakedown"), PUBLISH, AccountDisconnected),
        (failed(403, "Forbidden"), CALL, AccountDisconnected),
        (failed(400, "InvalidRequest", "Invalid app.bsky.feed.post record"), PUBLISH, InvalidContent),
        (failed(400, "InvalidRequest", "No service configured for app.bsky.feed.getPosts"), METRICS, TransientError),
        (failed(502), PUBLISH, TransientError),
        (failed(503), CALL, TransientError),
        (httpx.RemoteProtocolError("Server disconnected without sending a response."), PUBLISH, OutcomeUnknown),
        (httpx.ReadTimeout("timed out"), CALL, TransientError),
        (httpx.ConnectError("refused"), PUBLISH, TransientError),
    ],
)
def test_it_translates_network_failures_to_typed_errors(exc, action, expected):
    assert type(translate(exc, action=action)) is expected


def test_it_translates_a_read_timeout_wrapped_by_atproto_as_outcome_unknown_on_publish():
    try:
        try:
            raise httpx.ReadTimeout("timed out")
        except httpx.ReadTimeout as cause:
            raise atproto_errors.InvokeTimeoutError from cause
    except atproto_errors.InvokeTimeoutError as exc:
        assert isinstance(translate(exc, action=PUBLISH), OutcomeUnknown)
        assert isinstance(translate(exc, action=CALL), TransientError)


def test_it_puts_the_networks_message_in_invalid_content():
    error = translate(failed(400, "InvalidRequest", "Invalid app.bsky.feed.post record: grapheme too big"), action=PUBLISH)
    assert error.message == "Bluesky rejected the post: Invalid app.bsky.feed.post record: grapheme too big"
