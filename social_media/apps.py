from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SocialMediaConfig(AppConfig):
    name = "social_media"
    verbose_name = "Social media"

    def ready(self):
        from config import checks  # noqa: F401 - registers the encryption key checks (check --deploy)
        from config.beat import sync_after_migrate

        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="social_media.sync_beat_schedule")
