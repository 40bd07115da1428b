from rest_framework.routers import SimpleRouter

from .views import MediaFolderViewSet, MediaViewSet

router = SimpleRouter()
# folders/ first: "media/folders/" must not be read as the detail route of a media id.
router.register("media/folders", MediaFolderViewSet, basename="media-folder")
router.register("media", MediaViewSet, basename="media")

urlpatterns = router.urls
