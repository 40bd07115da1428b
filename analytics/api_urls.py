from django.urls import path

from .views import OverviewView, PostHistoryView, PostMetricsView

urlpatterns = [
    path("analytics/overview/", OverviewView.as_view(), name="analytics-overview"),
    path("analytics/posts/<int:pk>/", PostMetricsView.as_view(), name="analytics-post"),
    path("analytics/posts/<int:pk>/history/", PostHistoryView.as_view(), name="analytics-post-history"),
]
