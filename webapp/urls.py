"""The web app's pages, mounted at / (config/urls.py)."""

from django.urls import path

from .views import accounts, analytics, assist, calendar, composer, library, pages, posts, queues, shell, team
from .views import transfer as transfer_views

app_name = "webapp"

urlpatterns = [
    path("", posts.home, name="home"),
    path("login/", shell.LoginView.as_view(), name="login"),
    path("logout/", shell.LogoutView.as_view(), name="logout"),
    path("register/", shell.register, name="register"),
    path("profile/", shell.profile, name="profile"),
    path("workspace/switch/", shell.switch_workspace, name="switch_workspace"),
    path("workspace/new/", shell.no_workspace, name="no_workspace"),
    path("compose/", composer.compose, name="compose"),
    path("compose/validate/", composer.validate, name="compose_validate"),
    path("posts/<int:post_id>/", posts.post_detail, name="post_detail"),
    path("posts/<int:post_id>/edit/", composer.edit, name="edit"),
    path("posts/<int:post_id>/reschedule/", calendar.reschedule, name="reschedule"),
    path("posts/<int:post_id>/<str:action>/", posts.post_action, name="post_action"),
    path("targets/<int:target_id>/retry/", posts.target_retry_view, name="target_retry"),
    path("targets/<int:target_id>/resolve/<str:outcome>/", posts.target_resolve_view, name="target_resolve"),
    path("calendar/", calendar.calendar, name="calendar"),
    path("calendar/events/", calendar.calendar_events, name="calendar_events"),
    path("queues/", queues.queue_list, name="queues"),
    path("queues/new/", queues.queue_edit, name="queue_new"),
    path("queues/<int:queue_id>/", queues.queue_detail, name="queue_detail"),
    path("queues/<int:queue_id>/edit/", queues.queue_edit, name="queue_edit"),
    path("queues/<int:queue_id>/add/", queues.queue_add, name="queue_add"),
    path("queues/<int:queue_id>/reorder/", queues.queue_reorder_view, name="queue_reorder"),
    path("accounts/", accounts.account_list, name="accounts"),
    path("accounts/connect/complete/<str:token>/", accounts.connect_complete, name="connect_complete"),
    path("accounts/connect/<str:platform>/", accounts.connect, name="connect"),
    path("accounts/<int:account_id>/disconnect/", accounts.disconnect, name="disconnect"),
    path("library/", library.library, name="library"),
    path("library/upload/", library.upload, name="library_upload"),
    path("library/<int:media_id>/", library.media_edit, name="media_edit"),
    path("library/<int:media_id>/file/", posts.media_file, name="media_file"),
    path("library/<int:media_id>/thumbnail/", calendar.media_thumbnail, name="media_thumbnail"),
    path("analytics/", analytics.analytics, name="analytics"),
    path("analytics/export/<str:kind>.csv", analytics.analytics_export, name="analytics_export"),
    path("team/", team.team, name="team"),
    path("team/members/<int:membership_id>/", team.member_change, name="member_change"),
    path("team/invitations/<int:invitation_id>/withdraw/", team.invitation_withdraw, name="invitation_withdraw"),
    path("invitations/<str:token>/join/", team.invitation_join, name="invitation_join"),
    path("problems/", pages.problems, name="problems"),
    path("import/", transfer_views.import_page, name="import"),
    path("import/<int:job_id>/", transfer_views.import_job, name="import_job"),
    path("export/posts/", transfer_views.export_posts, name="export_posts"),
    path("settings/voice/", assist.voice, name="voice"),
    path("assist/captions/", assist.assist_captions, name="assist_captions"),
    path("assist/hashtags/", assist.assist_hashtags, name="assist_hashtags"),
    path("assist/adapt/", assist.assist_adapt, name="assist_adapt"),
    path("assist/alt-text/<int:media_id>/", assist.assist_alt_text, name="assist_alt_text"),
]
