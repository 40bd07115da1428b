from rest_framework.routers import SimpleRouter

from .views import FeedSubscriptionViewSet

router = SimpleRouter()
router.register("feeds", FeedSubscriptionViewSet, basename="feed")
urlpatterns = router.urls
