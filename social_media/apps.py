from django.apps import AppConfig


class SocialMediaConfig(AppConfig):
    name = "social_media"
    verbose_name = "Social media"
