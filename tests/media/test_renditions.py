"""Per-network renditions: made to each network's rules from the one spec table, cached per spec."""

import io

import pytest
from PIL import Image

from media import renditions
from media.models import MediaRendition
from media.specs import NETWORK_SPECS, spec_for, spec_key
from social_media.platforms.registry import PLATFORMS
from tests.factories import ConnectedAccountFactory

from .conftest import animated_gif, image_bytes, photo_jpeg, stored_media

PLANNED_NETWORKS = {"x", "bluesky", "mastodon", "facebook", "instagram", "threads", "linkedin", "reddit"}


def rendition_bytes(rendition):
    with rendition.file.open("rb") as handle:
        return handle.read()


def render(media, platform, fit="pad", account=None):
    spec = spec_for(account) if account else NETWORK_SPECS[platform]
    return renditions.rendition_for(media, platform, spec, fit=fit)


def test_the_spec_table_covers_every_registered_and_planned_network():
    assert set(PLATFORMS) <= set(NETWORK_SPECS)
    assert PLANNED_NETWORKS <= set(NETWORK_SPECS)


@pytest.mark.django_db
class TestImageRenditions:
    def test_a_13_mb_photo_becomes_the_best_bluesky_jpeg_under_a_million_bytes(self, workspace, media_root):
        media = stored_media(workspace, "photo.jpg", photo_jpeg())
        assert media.file_size > 1_200_000

        rendition = render(media, "bluesky")

        data = rendition_bytes(rendition)
        assert len(data) == rendition.file_size <= 1_000_000
        assert rendition.mime_type == "image/jpeg" and (rendition.width, rendition.height) == (1800, 1350)
        # Best quality that fits: two quality steps up would not have fitted.
        assert rendition.details["quality"] < 92
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "JPEG" and not image.getexif()

    def test_it_downscales_to_bluesky_2000_pixels(self, workspace, media_root):
        media = stored_media(workspace, "wide.png", image_bytes("PNG", (3000, 1000)))

        rendition = render(media, "bluesky")

        assert (rendition.width, rendition.height) == (2000, 667)
        assert rendition.mime_type == "image/png"  # small enough as PNG: the type is kept

    def test_an_image_that_already_fits_needs_no_rendition(self, workspace, media_root):
        media = stored_media(workspace, "small.jpg", image_bytes("JPEG", (400, 300)))

        assert render(media, "x") is None
        assert MediaRendition.objects.count() == 0

    @pytest.mark.parametrize("size,fit,expected", [
        ((1000, 2000), "pad", (1152, 1440)),   # too tall (1:2) -> 4:5 with side bands, longest side 1440
        ((3000, 1000), "pad", (1440, 754)),    # too wide (3:1) -> 1.91:1
        ((1000, 2000), "crop", (1000, 1250)),  # cropped to 4:5
        ((3000, 1000), "crop", (1440, 754)),
    ])
    def test_instagram_gets_a_jpeg_within_its_aspect_range(self, workspace, media_root, size, fit, expected):
        media = stored_media(workspace, f"{fit}.png", image_bytes("PNG", size))

        rendition = render(media, "instagram", fit=fit)

        assert rendition.mime_type == "image/jpeg"
        with Image.open(io.BytesIO(rendition_bytes(rendition))) as image:
            assert image.format == "JPEG"
            assert abs(image.size[0] - expected[0]) <= 2 and abs(image.size[1] - expected[1]) <= 2
            assert 0.8 - 0.01 <= image.size[0] / image.size[1] <= 1.91 + 0.01
            if fit == "pad" and size == (1000, 2000):
                assert image.getpixel((2, 600)) == (255, 255, 255)  # padding band
                assert image.getpixel((576, 700))[0] > 150  # the red picture in the middle

    def test_renditions_are_cached_per_network_and_fit(self, workspace, media_root):
        media = stored_media(workspace, "tall.png", image_bytes("PNG", (500, 1000)))

        padded = render(media, "instagram", fit="pad")
        again = render(media, "instagram", fit="pad")
        cropped = render(media, "instagram", fit="crop")

        assert again.pk == padded.pk
        assert cropped.pk != padded.pk
        assert sorted(r.spec_key for r in MediaRendition.objects.filter(media=media)) == sorted(
            [spec_key("instagram", NETWORK_SPECS["instagram"], "pad"), spec_key("instagram", NETWORK_SPECS["instagram"], "crop")]
        )

    def test_mastodon_renditions_follow_the_instance_limits_read_at_connect(self, workspace, media_root):
        account = ConnectedAccountFactory(workspace=workspace, platform="mastodon", platform_settings={"image_size_limit": 200_000})
        media = stored_media(workspace, "photo.jpg", photo_jpeg(800, 600))
        assert media.file_size > 200_000

        rendition = render(media, "mastodon", account=account)

        assert rendition.file_size <= 200_000
        assert spec_for(account).image_max_bytes == 200_000


@pytest.mark.django_db
class TestGifRenditions:
    def test_an_animated_gif_stays_a_gif_on_x(self, workspace, media_root):
        media = stored_media(workspace, "anim.gif", animated_gif())
        assert media.video_info["frames"] == 4

        assert render(media, "x") is None

    def test_an_animated_gif_becomes_an_mp4_on_bluesky(self, workspace, media_root):
        from media.probe import probe

        media = stored_media(workspace, "anim.gif", animated_gif())

        rendition = render(media, "bluesky")

        assert (rendition.media_type, rendition.mime_type) == ("video", "video/mp4")
        with rendition.file.open("rb") as handle:
            assert handle.read(12)[4:8] == b"ftyp"
        info = probe(rendition.file.path)
        assert info["video"]["codec"] == "h264" and info["duration"] == pytest.approx(1.0, abs=0.3)
        assert (info["video"]["width"], info["video"]["height"]) == (40, 30)

    def test_a_still_gif_becomes_a_png_where_gifs_are_not_taken(self, workspace, media_root):
        media = stored_media(workspace, "still.gif", image_bytes("GIF", (30, 30)))

        rendition = render(media, "instagram")

        assert rendition.mime_type == "image/jpeg"
