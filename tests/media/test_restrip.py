"""Media stored before uploads were stripped are cleaned by `manage.py strip_media_metadata`."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from PIL import Image

from media.models import MediaRendition
from media.renditions import rendition_for
from media.specs import NETWORK_SPECS
from tests.factories import MediaFileFactory

from .test_privacy import assert_no_personal_data, exif_with_gps, landscape

pytestmark = pytest.mark.django_db


def test_it_strips_media_stored_with_gps_and_drops_renditions_made_from_it(workspace, media_root, capsys, django_capture_on_commit_callbacks):
    buf = io.BytesIO()
    landscape((3000, 1000)).save(buf, "JPEG", exif=exif_with_gps(orientation=6))
    media = MediaFileFactory(workspace=workspace, file=ContentFile(buf.getvalue(), name="old.jpg"), mime_type="image/jpeg",
                             width=3000, height=1000, file_size=len(buf.getvalue()))
    old_name = media.file.name
    rendition_for(media, "bluesky", NETWORK_SPECS["bluesky"])
    assert MediaRendition.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        call_command("strip_media_metadata")

    media.refresh_from_db()
    with media.file.open("rb") as handle:
        data = handle.read()
    assert_no_personal_data(data)
    assert media.file.name != old_name and not media.file.storage.exists(old_name)
    assert (media.width, media.height, media.file_size) == (1000, 3000, len(data))
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (1000, 3000)
    assert MediaRendition.objects.count() == 0
    assert "stripped 1 of 1 media files; 0 could not be read" in capsys.readouterr().out


@pytest.mark.parametrize("args", [["--ids"], ["--workspace", "0"]])
def test_an_empty_selection_strips_nothing_rather_than_everything(workspace, media_root, capsys, args):
    """`--ids` with no ids (an empty shell variable) or `--workspace 0` was falsy, so every file was rewritten."""
    MediaFileFactory(workspace=workspace)
    call_command("strip_media_metadata", *args)
    assert "stripped 0 of 0 media files" in capsys.readouterr().out
