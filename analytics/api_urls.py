from django.urls import path

from .views import AccountInsightsView, BestTimesView, HashtagsView, OverviewView, PostHistoryView, PostMetricsView, PostTableView

urlpatterns = [
    path("analytics/overview/", OverviewView.as_view(), name="analytics-overview"),
    path("analytics/posts/", PostTableView.as_view(), name="analytics-posts"),
    path("analytics/posts/<int:pk>/", PostMetricsView.as_view(), name="analytics-post"),
    path("analytics/posts/<int:pk>/history/", PostHistoryView.as_view(), name="analytics-post-history"),
    path("analytics/accounts/<int:pk>/", AccountInsightsView.as_view(), name="analytics-account"),
    path("analytics/best-times/", BestTimesView.as_view(), name="analytics-best-times"),
    path("analytics/hashtags/", HashtagsView.as_view(), name="analytics-hashtags"),
]
