from celery import shared_task

from . import idempotency


@shared_task(name="developer.tasks.purge_idempotency_keys", expires=3600)
def purge_idempotency_keys():
    """Forget Idempotency-Key answers older than IDEMPOTENCY_KEY_HOURS."""
    return idempotency.purge_expired()
