"""Thin Celery tasks: they take ids and call analytics.collectors. Routed to the analytics queue by
settings.CELERY_TASK_ROUTES ("analytics.tasks.*"). Every task carries `expires`: one still waiting when
the next sweep runs is dropped, not run twice (the sweep enqueues it again if it is still due)."""

from celery import shared_task

from social_media.platforms.base import RateLimited, TransientError

from . import collectors

TASK_EXPIRES_SECONDS = 3600


@shared_task(
    ignore_result=True,
    autoretry_for=(RateLimited, TransientError),
    retry_backoff=60,  # 60 s, 120 s, 240 s (with jitter); after that the next due pass picks it up
    retry_jitter=True,
    max_retries=3,
    rate_limit="10/s",  # per worker: spreads a large pass over the networks' read limits
)
def collect_target_metrics_task(target_id):
    return collectors.collect_target_metrics(target_id=target_id) is not None


@shared_task(
    ignore_result=True,
    autoretry_for=(RateLimited, TransientError),
    retry_backoff=300,
    retry_jitter=True,
    max_retries=3,
    rate_limit="10/s",
)
def collect_account_metrics_task(account_id):
    return collectors.collect_account_metrics(account_id=account_id) is not None


@shared_task(ignore_result=True)
def collect_due_metrics_task():
    return collectors.collect_due_metrics()


@shared_task(ignore_result=True)
def collect_due_account_metrics_task():
    return collectors.collect_due_account_metrics()
