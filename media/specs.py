"""What each network accepts as media: the one table the renditions, the schedule-time checks and the
adapters' callers read. Keyed by the platform registry key; values are checked against the networks'
public documentation (see /docs/media.md for the sources and what each number means).

A network that reads its limits at connect (Mastodon: `account.platform_settings`, filled from
`/api/v2/instance`) gets its spec from `spec_for(account)`, which lays the stored values over the table.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace

MB = 1000 * 1000
MiB = 1024 * 1024

JPEG, PNG, WEBP, GIF = "image/jpeg", "image/png", "image/webp", "image/gif"
MP4, MOV, WEBM = "video/mp4", "video/quicktime", "video/webm"
FITS = ("pad", "crop")


@dataclass(frozen=True)
class NetworkSpec:
    label: str
    image_types: frozenset = frozenset({JPEG, PNG, WEBP})
    image_max_bytes: int = 5 * MB
    image_max_side: int | None = None  # longest side in pixels
    image_max_pixels: int | None = None  # width x height
    aspect_min: float | None = None  # width / height
    aspect_max: float | None = None
    # Animated GIFs: accepted as GIF (up to gif_max_bytes, and the frame and pixel limits below), else
    # turned into an MP4 video.
    gif_max_bytes: int | None = None
    gif_max_frames: int | None = None
    gif_max_pixels: int | None = None  # width x height of a frame
    gif_max_total_pixels: int | None = None  # width x height x frames
    video_types: frozenset = frozenset({MP4})
    video_codecs: frozenset = frozenset({"h264"})
    audio_codecs: frozenset = frozenset({"aac"})
    video_max_bytes: int | None = 512 * MB
    video_min_seconds: float | None = None
    video_max_seconds: float | None = None
    video_max_side: int | None = None
    video_max_pixels: int | None = None
    video_max_fps: float | None = 60
    notes: tuple = field(default=(), compare=False)

    @property
    def takes_gif(self) -> bool:
        return self.gif_max_bytes is not None

    @property
    def takes_video(self) -> bool:
        return bool(self.video_types)

    def fingerprint(self) -> str:
        data = {k: sorted(v) if isinstance(v, frozenset) else v for k, v in asdict(self).items() if k not in ("label", "notes")}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]


# platform key -> spec. Every registered platform has a row (tests check it against the registry).
NETWORK_SPECS: dict[str, NetworkSpec] = {
    "x": NetworkSpec(
        "X", image_types=frozenset({JPEG, PNG, WEBP}), image_max_bytes=5 * MiB, gif_max_bytes=15 * MiB,
        # X API media best practices (developer.x.com, "Media best practices", animated GIF): at most
        # 1280x1080, 350 frames and 300 million pixels (width x height x frames); larger ones go as video.
        gif_max_frames=350, gif_max_pixels=1280 * 1080, gif_max_total_pixels=300_000_000,
        video_max_bytes=512 * MiB, video_min_seconds=0.5, video_max_seconds=140, video_max_side=1920,
        notes=("Free tier video length 140 s.",),
    ),
    "bluesky": NetworkSpec(
        "Bluesky", image_types=frozenset({JPEG, PNG, WEBP}), image_max_bytes=1_000_000, image_max_side=2000,
        video_max_bytes=50 * MB, video_max_seconds=180,
        notes=("app.bsky.embed.video lexicon: 50 MB; the network announced 3 min.",),
    ),
    "mastodon": NetworkSpec(
        # Mastodon 4.x defaults; the instance's own limits replace these (spec_for).
        "Mastodon", image_types=frozenset({JPEG, PNG, WEBP}), image_max_bytes=16 * MiB, image_max_pixels=33_177_600,
        gif_max_bytes=16 * MiB, video_types=frozenset({MP4, MOV, WEBM}), video_codecs=frozenset({"h264", "vp8", "vp9", "hevc", "av1"}),
        audio_codecs=frozenset({"aac", "mp3", "opus", "vorbis"}), video_max_bytes=99 * MiB, video_max_pixels=8_294_400,
        video_max_fps=120,
    ),
    "facebook": NetworkSpec(
        "Facebook", image_types=frozenset({JPEG, PNG}), image_max_bytes=10 * MB, gif_max_bytes=None,
        video_types=frozenset({MP4, MOV}), video_max_bytes=10_000 * MB, video_max_seconds=240 * 60,
    ),
    "instagram": NetworkSpec(
        "Instagram", image_types=frozenset({JPEG}), image_max_bytes=8 * MiB, image_max_side=1440,
        aspect_min=4 / 5, aspect_max=1.91, video_types=frozenset({MP4, MOV}), video_max_bytes=1000 * MB,
        video_min_seconds=3, video_max_seconds=15 * 60, video_max_side=1920,
        notes=("Reels 3 s to 15 min; the API takes media by public URL.",),
    ),
    "threads": NetworkSpec(
        "Threads", image_types=frozenset({JPEG, PNG}), image_max_bytes=8 * MB, image_max_side=1440,
        aspect_max=10.0, aspect_min=0.1, video_types=frozenset({MP4, MOV}), video_max_bytes=1000 * MB,
        video_max_seconds=5 * 60, video_max_side=1920,
    ),
    "linkedin": NetworkSpec(
        "LinkedIn", image_types=frozenset({JPEG, PNG}), image_max_bytes=5 * MB, image_max_pixels=36_152_320,
        gif_max_bytes=5 * MB, video_max_bytes=500 * MB, video_min_seconds=3, video_max_seconds=30 * 60,
    ),
    "reddit": NetworkSpec(
        "Reddit", image_types=frozenset({JPEG, PNG}), image_max_bytes=20 * MB, gif_max_bytes=100 * MB,
        video_types=frozenset({MP4, MOV}), video_max_bytes=1000 * MB, video_max_seconds=15 * 60,
    ),
}


def spec_for(account) -> NetworkSpec:
    """The spec for this account: the table's row, with limits the network told us at connect."""
    spec = NETWORK_SPECS.get(account.platform)
    if spec is None:
        raise LookupError(f"No media spec for platform '{account.platform}'.")
    if account.platform == "mastodon":
        spec = _mastodon_spec(spec, account.platform_settings or {})
    return spec


def _positive(value):
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _mastodon_spec(spec: NetworkSpec, stored: dict) -> NetworkSpec:
    changes = {}
    if size := _positive(stored.get("image_size_limit")):
        changes.update(image_max_bytes=size, gif_max_bytes=size)
    if size := _positive(stored.get("video_size_limit")):
        changes["video_max_bytes"] = size
    if pixels := _positive(stored.get("image_matrix_limit")):
        changes["image_max_pixels"] = pixels
    if pixels := _positive(stored.get("video_matrix_limit")):
        changes["video_max_pixels"] = pixels
    mimes = stored.get("supported_mime_types")
    if isinstance(mimes, list) and mimes:
        mimes = {str(m) for m in mimes}
        changes["image_types"] = frozenset(m for m in mimes if m in (JPEG, PNG, WEBP)) or frozenset({JPEG})
        if GIF not in mimes:
            changes["gif_max_bytes"] = None
        changes["video_types"] = frozenset(m for m in mimes if m in (MP4, MOV, WEBM))
    return replace(spec, **changes)


def spec_key(platform: str, spec: NetworkSpec, fit: str = "pad") -> str:
    """The cache key of a rendition: network, fit (pad/crop where aspect is limited), spec fingerprint."""
    fit_part = f":{fit}" if spec.aspect_min or spec.aspect_max else ""
    return f"{platform}{fit_part}:{spec.fingerprint()}"
