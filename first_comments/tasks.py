"""Thin Celery tasks (default queue, settings.CELERY_TASK_ROUTES): they take ids and call services."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def deliver_first_comment_task(delivery_id):
    return services.delivery_send(delivery_id=delivery_id)


@shared_task(ignore_result=True)
def dispatch_first_comments_task():
    """Beat: hand out deliveries falling due, re-dispatch lost ones, settle those whose worker died."""
    return services.dispatch_and_sweep()
