"""Thin Celery tasks of the accounts app (default queue, settings.CELERY_TASK_ROUTES "accounts.tasks.*")."""

import smtplib

from celery import shared_task

# A mail server that is down, refuses the connection or answers a temporary error: retried with
# backoff for about a day (2, 4, 8 ... 3600 s, 30 tries) before the task gives up and logs it.
MAIL_ERRORS = (OSError, smtplib.SMTPException)


@shared_task(
    bind=True, ignore_result=True, acks_late=True, autoretry_for=MAIL_ERRORS,
    retry_backoff=2, retry_backoff_max=3600, retry_jitter=True, max_retries=30,
)
def send_invitation_email(self, invitation_id, sealed_token):
    """Mail a pending invitation's link. `sealed_token` is the link's token encrypted with
    ENCRYPTION_KEYS (the database keeps only its hash; the broker never holds it in clear)."""
    from . import invitations

    return invitations.invitation_send(invitation_id=invitation_id, sealed_token=sealed_token)


@shared_task(
    bind=True, ignore_result=True, acks_late=True, autoretry_for=MAIL_ERRORS,
    retry_backoff=2, retry_backoff_max=3600, retry_jitter=True, max_retries=30,
)
def send_registration_notice(self, user_id):
    """Tell an account's owner that someone tried to register with their email address."""
    from . import services

    return services.registration_notice_send(user_id=user_id)
