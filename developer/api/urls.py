from django.urls import path

from .views import ApiTokenViewSet

urlpatterns = [
    path("auth/tokens/", ApiTokenViewSet.as_view({"get": "list", "post": "create"}), name="api-token-list"),
    path("auth/tokens/<int:pk>/", ApiTokenViewSet.as_view({"delete": "destroy"}), name="api-token-detail"),
]
