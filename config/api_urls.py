from django.urls import include, path

urlpatterns = [
    path("auth/", include("accounts.api.auth_urls")),
    path("", include("developer.api.urls")),
    path("", include("accounts.api.urls")),
    path("", include("social_media.api.urls")),
    path("", include("approvals.api")),  # /posts/{id}/submit/, approve/, reject/, comments/, approval-events/, review-links/
    path("", include("media.api_urls")),
    path("", include("analytics.api_urls")),
    path("", include("assistant.api.urls")),
    path("", include("webhooks.api.urls")),
    path("", include("transfer.urls")),
    path("", include("feeds.api.urls")),
]
