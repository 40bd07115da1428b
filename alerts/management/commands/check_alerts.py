from django.core.management.base import BaseCommand

from alerts.services import check_all


class Command(BaseCommand):
    help = ("Run the alert check once: raise, send and clear operator alerts. Also run it from cron on one host: "
            "it needs no worker and no broker, so it is what notices that those are down.")

    def handle(self, *args, **options):
        result = check_all()
        for alert in result.fired:
            self.stdout.write(f"fired: {alert.get_kind_display()} {alert.subject}: {alert.message}")
        for alert in result.cleared:
            self.stdout.write(f"cleared: {alert.get_kind_display()} {alert.subject}")
        self.stdout.write(result.summary())
