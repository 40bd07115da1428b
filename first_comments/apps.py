from django.apps import AppConfig


class FirstCommentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "first_comments"
    verbose_name = "First comments"
