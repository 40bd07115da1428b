from django.core.management.base import BaseCommand

from media.models import MediaFile
from media.restrip import media_restrip


class Command(BaseCommand):
    help = (
        "Re-write stored media without personal metadata (GPS, camera, author, XMP; video location), for "
        "files uploaded before uploads were stripped. Renditions and cached network uploads are remade."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workspace", type=int, help="Only this workspace's media.")
        parser.add_argument("--ids", type=int, nargs="*", help="Only these media ids.")

    def handle(self, *args, workspace=None, ids=None, **options):
        media = MediaFile.objects.order_by("id")
        if workspace is not None:  # not `if workspace`: 0 or an empty --ids would select every file
            media = media.filter(workspace_id=workspace)
        if ids is not None:
            media = media.filter(pk__in=ids)
        done = failed = 0
        total = media.count()
        for number, item in enumerate(media.iterator(), start=1):
            if media_restrip(media=item):
                done += 1
            else:
                failed += 1
            if number % 100 == 0:
                self.stdout.write(f"{number}/{total}...")
        self.stdout.write(f"stripped {done} of {total} media files; {failed} could not be read (see the log)")
