from django.core.management.base import BaseCommand

from social_media.services.publishing import dispatch_due
from social_media.services.sweeper import sweep


class Command(BaseCommand):
    help = "Run one dispatch pass: hand every target due within the look-ahead window to the posting queue, then sweep."

    def handle(self, *args, **options):
        dispatched = dispatch_due()
        report = sweep()
        self.stdout.write(
            f"dispatched {dispatched} target(s); re-dispatched {report.redispatched} lost; reconciled {report.reconciled} stuck"
        )
