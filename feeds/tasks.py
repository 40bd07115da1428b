from celery import shared_task

from config.queues import CeleryQueue

from . import services
from .models import FeedSubscription


@shared_task(name="feeds.tasks.poll_due_feeds_task", queue=CeleryQueue.DEFAULT.value, expires=50, ignore_result=True)
def poll_due_feeds_task():
    """Beat, every minute: one poll_feed_task per subscription whose time has come."""
    return len(services.poll_due())


@shared_task(name="feeds.tasks.poll_feed_task", queue=CeleryQueue.DEFAULT.value, ignore_result=True)
def poll_feed_task(subscription_id):
    if not FeedSubscription.objects.filter(pk=subscription_id, is_active=True).exists():
        return "gone"
    return services.poll(subscription_id=subscription_id).status
