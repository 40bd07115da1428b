from django.apps import AppConfig


class WebappConfig(AppConfig):
    name = "webapp"
    verbose_name = "Web app"

    def ready(self):
        from django.contrib import admin

        admin.site.site_header = "Social media scheduler — staff back office"
        admin.site.site_title = "Scheduler admin"
        admin.site.index_title = "Back office"
        admin.site.site_url = "/"  # "View site" opens the web app
