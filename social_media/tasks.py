"""Thin Celery tasks: they take ids and call services. Queues are set in settings.CELERY_TASK_ROUTES."""

from celery import shared_task
from celery.signals import worker_init, worker_process_init, worker_process_shutdown, worker_ready
from django.utils import timezone

from .models import OAuthState
from .services import pending, publishing, sweeper, tokens, unpublishing, warmup


@shared_task(ignore_result=True)
def publish_targets_task(target_ids):
    outcomes = publishing.publish_batch(target_ids=target_ids)
    return {str(target_id): outcome.status for target_id, outcome in outcomes.items()}


@shared_task(ignore_result=True)
def unpublish_targets_task(target_ids):
    outcomes = unpublishing.unpublish_batch(target_ids=target_ids)
    return {str(target_id): outcome.status for target_id, outcome in outcomes.items()}


@shared_task(ignore_result=True)
def dispatch_due_task():
    return publishing.dispatch_due() + unpublishing.dispatch_due_deletes()


@shared_task(ignore_result=True)
def sweep_task():
    report = sweeper.sweep()
    return {"redispatched": report.redispatched, "reconciled": report.reconciled}


@shared_task(ignore_result=True)
def refresh_tokens_task():
    return tokens.refresh_expiring_tokens()


@shared_task(ignore_result=True)
def refresh_account_limits_task():
    return tokens.refresh_account_limits()


@shared_task(ignore_result=True)
def delete_expired_oauth_states_task():
    """Hourly: expired OAuth states and expired pending connections. Returns how many rows went."""
    deleted, _ = OAuthState.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted + pending.pending_connections_delete_expired()


@worker_process_shutdown.connect
def _close_publish_pool(**kwargs):
    publishing.shutdown_executor()


# --- warm at start (social_media/services/warmup.py) --------------------------------------------
@worker_init.connect
def _import_adapters(**kwargs):
    """Main process, before the pool starts (and before prefork children fork, which inherit it)."""
    warmup.warm_imports()


@worker_process_init.connect
def _warm_child_process(**kwargs):
    """Each prefork child: its own connections (never inherited across fork)."""
    warmup.warm_connections()


@worker_ready.connect
def _warm_pool_process(sender=None, **kwargs):
    """Thread (and solo) pools run tasks in the main process: open its connections before consuming."""
    from celery.concurrency.prefork import TaskPool as PreforkPool

    if not isinstance(getattr(sender, "pool", None), PreforkPool):
        warmup.warm_connections()
