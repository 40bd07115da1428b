"""Import and export (config/api_urls.py includes this at /api/v1/)."""

from django.urls import path

from .api import ImportDetailView, ImportView, PostExportView

urlpatterns = [
    path("imports/", ImportView.as_view(), name="import-list"),
    path("imports/<str:pk>/", ImportDetailView.as_view(), name="import-detail"),
    path("exports/posts/", PostExportView.as_view(), name="post-export"),
]
