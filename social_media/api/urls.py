"""/api/v1/accounts/, /api/v1/posts/, /api/v1/queues/ (config/api_urls.py includes this at /api/v1/).
ViewSets on one router, so workflow endpoints are @action methods on them."""

from rest_framework.routers import DefaultRouter

from .account_views import ConnectedAccountViewSet
from .queue_views import PostQueueViewSet
from .views import PostViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("accounts", ConnectedAccountViewSet, basename="account")
router.register("posts", PostViewSet, basename="post")
router.register("queues", PostQueueViewSet, basename="queue")

urlpatterns = router.urls

# Connect flows (social_media/api/connect_views.py).
from django.urls import path  # noqa: E402

from .connect_views import CallbackView, ConnectView  # noqa: E402
from .pending_views import CompleteConnectionView, PendingConnectionView  # noqa: E402
from .meta_views import FacebookSelectView  # noqa: E402

urlpatterns += [
    # Before connect/<platform>/, which would take "complete" for a platform.
    path("accounts/connect/pending/<str:token>/", PendingConnectionView.as_view(), name="account-connect-pending"),
    path("accounts/connect/complete/", CompleteConnectionView.as_view(), name="account-connect-complete"),
    path("accounts/connect/facebook/select/", FacebookSelectView.as_view(), name="account-connect-facebook-select"),
    path("accounts/connect/<str:platform>/", ConnectView.as_view(), name="account-connect"),
    path("accounts/callback/<str:platform>/", CallbackView.as_view(), name="account-callback"),
]

# The networks this server can connect (social_media/api/platform_views.py).
from .platform_views import PlatformListView  # noqa: E402

urlpatterns += [path("platforms/", PlatformListView.as_view(), name="platform-list")]
