"""Approval pages (config/urls.py mounts these at /, before the web app)."""

from django.urls import path

from . import views

app_name = "approvals"

urlpatterns = [
    path("review/<str:token>/", views.review, name="review"),
    path("review/<str:token>/media/<int:media_id>/", views.review_media, name="review_media"),
    path("posts/<int:post_id>/approval/<str:action>/", views.post_approval_action, name="post_action"),
    path("review-links/<int:link_id>/revoke/", views.review_link_revoke_view, name="revoke_link"),
]
