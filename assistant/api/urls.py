from django.urls import path

from . import views

urlpatterns = [
    path("assistant/captions/", views.CaptionsView.as_view(), name="assistant-captions"),
    path("assistant/adapt/", views.AdaptView.as_view(), name="assistant-adapt"),
    path("assistant/hashtags/", views.HashtagsView.as_view(), name="assistant-hashtags"),
    path("assistant/alt-text/", views.AltTextView.as_view(), name="assistant-alt-text"),
    path("assistant/usage/", views.UsageView.as_view(), name="assistant-usage"),
    path("workspaces/<str:workspace_pk>/voice/", views.VoiceView.as_view(), name="workspace-voice"),
]
