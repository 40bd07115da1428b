"""URLs served while bench/api.py runs: the project's own, plus the baselines it is measured against."""

from django.urls import path

from bench import handwritten
from config.urls import urlpatterns as project_urls

urlpatterns = [
    path("bench/bare/<int:size>/", handwritten.bare, name="bench-bare"),
    path("bench/hand/posts/", handwritten.post_list, name="bench-hand-posts"),
    path("bench/hand/posts/<int:pk>/", handwritten.post_detail, name="bench-hand-post"),
    path("bench/hand/queues/", handwritten.queue_list, name="bench-hand-queues"),
    path("bench/hand/overview/", handwritten.overview, name="bench-hand-overview"),
    path("bench/hand/history/<int:pk>/", handwritten.history, name="bench-hand-history"),
    *project_urls,
]
