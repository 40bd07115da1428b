"""Webhooks out: endpoints, events, signed deliveries with retries (the Standard Webhooks scheme).

`emit(workspace_id, event_type, data)` records one delivery per active endpoint that chose the event
and hands each to the `default` queue once the surrounding transaction commits, so a receiver never
hears of a row that was rolled back. A delivery POSTs `{"type", "timestamp", "data"}` with
`webhook-id`, `webhook-timestamp` and `webhook-signature` (HMAC-SHA256 over "id.timestamp.body", the
standardwebhooks library) through the outbound guard (config/safe_http: public addresses only, no
redirects followed). A 2xx is delivered; anything else is retried at RETRY_SCHEDULE until
WEBHOOK_RETRY_HOURS have passed, then given up. After WEBHOOK_DISABLE_AFTER deliveries in a row are
given up the endpoint is disabled and the workspace's owners are told by email."""

import base64
import json
import logging
import secrets
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from accounts.models import Membership
from config import safe_http

from .models import EVENTS, WebhookAttempt, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

# Seconds after the first try (Standard Webhooks' suggested schedule): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
RETRY_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 36000]
MAX_ENDPOINTS = 20
SUBSCRIBABLE = sorted(set(EVENTS) - {"webhook.test"})


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def clean_url(url: str) -> str:
    """A public http(s) address (https unless insecure URLs are allowed), or a ValidationError."""
    try:
        safe_http.check_url(url)
    except (safe_http.BlockedAddress, safe_http.Unresolvable) as exc:
        raise ValidationError({"url": [getattr(exc, "message", str(exc))]}) from None
    return url


def clean_events(events) -> list[str]:
    unknown = sorted(set(events) - set(SUBSCRIBABLE))
    if unknown:
        raise ValidationError({"events": [f"Unknown event type(s): {', '.join(unknown)}. Choose from {', '.join(SUBSCRIBABLE)}."]})
    if not events:
        raise ValidationError({"events": ["Choose at least one event."]})
    return sorted(set(events))


def endpoint_create(*, workspace, user, url, events, description="") -> WebhookEndpoint:
    if WebhookEndpoint.objects.filter(workspace=workspace).count() >= MAX_ENDPOINTS:
        raise ValidationError({"url": [f"A workspace has at most {MAX_ENDPOINTS} webhook endpoints."]})
    return WebhookEndpoint.objects.create(
        workspace=workspace, url=clean_url(url), events=clean_events(events), description=description,
        secret=new_secret(), created_by=user if user and user.is_authenticated else None,
    )


def endpoint_update(*, endpoint, changes) -> WebhookEndpoint:
    if "url" in changes:
        endpoint.url = clean_url(changes["url"])
    if "events" in changes:
        endpoint.events = clean_events(changes["events"])
    if "description" in changes:
        endpoint.description = changes["description"]
    if changes.get("is_active") is True and not endpoint.is_active:  # re-enabled by a person
        endpoint.is_active, endpoint.consecutive_failures, endpoint.disabled_reason = True, 0, ""
    elif changes.get("is_active") is False:
        endpoint.is_active = False
    endpoint.save()
    return endpoint


# --- Events -----------------------------------------------------------------------------------
def emit(*, workspace_id, event_type, data) -> list[int]:
    """Record the event for every endpoint of the workspace that chose it; deliver after commit."""
    endpoints = [e for e in WebhookEndpoint.objects.filter(workspace_id=workspace_id, is_active=True) if event_type in e.events]
    return _enqueue(endpoints, event_type, data)


def emit_test(*, endpoint) -> WebhookDelivery:
    ids = _enqueue([endpoint], "webhook.test", {"endpoint_id": endpoint.pk, "message": "A test event from the scheduler."})
    return WebhookDelivery.objects.get(pk=ids[0])


def _enqueue(endpoints, event_type, data):
    if not endpoints:
        return []
    now = timezone.now()
    payload = {"type": event_type, "timestamp": now.isoformat().replace("+00:00", "Z"), "data": data}
    deliveries = WebhookDelivery.objects.bulk_create([
        WebhookDelivery(endpoint=e, event_type=event_type, payload=payload, next_attempt_at=now, message_id=f"msg_{secrets.token_hex(16)}")
        for e in endpoints
    ])
    ids = [d.pk for d in deliveries]

    def send():
        from .tasks import deliver_webhook

        for delivery_id in ids:
            deliver_webhook.delay(delivery_id)

    transaction.on_commit(send)
    return ids


def emit_safely(**kwargs) -> None:
    """emit(), never letting a webhook problem disturb the caller (the publishing engine)."""
    try:
        emit(**kwargs)
    except Exception:
        logger.exception("webhooks: could not record %s", kwargs.get("event_type"))


# --- Delivery ---------------------------------------------------------------------------------
def signed_headers(endpoint, delivery, body: str, now) -> dict:
    signature = Webhook(endpoint.secret).sign(delivery.message_id, now, body)
    return {
        "content-type": "application/json",
        "user-agent": "scheduler-webhooks/1",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }


def deliver(*, delivery_id) -> str | None:
    """Try one delivery now (if it is still due); returns its new status."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True).select_related("endpoint")
            .filter(pk=delivery_id, status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED]).first()
        )
        if delivery is None:
            return None
        endpoint = delivery.endpoint
        wait = (delivery.next_attempt_at - timezone.now()).total_seconds() if delivery.next_attempt_at else 0
        if wait > 1:  # an early or repeated message (a capped countdown, a redelivery): not due yet
            transaction.on_commit(lambda: _schedule(delivery.pk, wait))
            return None
        if not endpoint.is_active:
            delivery.status, delivery.last_error = WebhookDelivery.Status.GAVE_UP, "The endpoint is disabled."
            delivery.save(update_fields=["status", "last_error"])
            return delivery.status
        now = timezone.now()
        body = json.dumps(delivery.payload, separators=(",", ":"))
        started = time.monotonic()
        status_code, error = None, ""
        try:
            with safe_http.session() as session:
                response = session.post(endpoint.url, data=body.encode(), headers=signed_headers(endpoint, delivery, body, now),
                                        timeout=settings.WEBHOOK_TIMEOUT_SECONDS, allow_redirects=False)
            status_code = response.status_code
            if not 200 <= status_code < 300:
                error = f"The endpoint answered {status_code}" + (" (a redirect, which is not followed)." if 300 <= status_code < 400 else ".")
        except safe_http.BlockedAddress as exc:
            error = exc.message
        except requests.Timeout:
            error = f"No answer within {settings.WEBHOOK_TIMEOUT_SECONDS:g} s."
        except requests.RequestException as exc:
            cause = safe_http.blocked_cause(exc)
            error = cause.message if cause else f"Could not connect ({exc.__class__.__name__})."
        WebhookAttempt.objects.create(delivery=delivery, status_code=status_code, error=error[:500], duration_ms=int((time.monotonic() - started) * 1000))
        delivery.attempts += 1
        delivery.last_status_code, delivery.last_error = status_code, error[:500]
        if not error:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = WebhookDelivery.Status.DELIVERED, timezone.now(), None
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        else:
            retry_at = _next_try(delivery)
            if retry_at is None:
                delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.GAVE_UP, None
                _count_given_up(endpoint)
            else:
                delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, retry_at
        delivery.save(update_fields=["status", "attempts", "last_status_code", "last_error", "delivered_at", "next_attempt_at"])
    if delivery.status == WebhookDelivery.Status.FAILED:
        _schedule(delivery.pk, (delivery.next_attempt_at - timezone.now()).total_seconds())
    return delivery.status


def _schedule(delivery_id, seconds):
    """Try again in `seconds`, asking the broker to hold it at most WEBHOOK_MAX_ETA_SECONDS (a task
    that wakes early finds the delivery not due and schedules the rest)."""
    from .tasks import deliver_webhook

    deliver_webhook.apply_async((delivery_id,), countdown=max(1, min(seconds, settings.WEBHOOK_MAX_ETA_SECONDS)))


def _next_try(delivery):
    index = delivery.attempts - 1
    if index >= len(RETRY_SCHEDULE):
        return None
    at = delivery.created_at + timedelta(seconds=sum(RETRY_SCHEDULE[: index + 1]))
    if at > delivery.created_at + timedelta(hours=settings.WEBHOOK_RETRY_HOURS):
        return None
    return max(at, timezone.now())


def _count_given_up(endpoint):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    endpoint.refresh_from_db(fields=["consecutive_failures", "is_active"])
    if endpoint.is_active and endpoint.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER:
        reason = f"Disabled after {endpoint.consecutive_failures} deliveries in a row failed for {settings.WEBHOOK_RETRY_HOURS} h."
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False, disabled_reason=reason)
        owners = list(Membership.objects.filter(workspace_id=endpoint.workspace_id, role__in=[Membership.Role.OWNER, Membership.Role.ADMIN]).values_list("user__email", flat=True))
        transaction.on_commit(lambda: _tell_owners(endpoint, owners, reason))




def _tell_owners(endpoint, owners, reason):
    if not owners:
        return
    try:
        send_mail(
            subject=f"Webhook disabled: {endpoint.url}",
            message=f"{reason}\n\nThe endpoint {endpoint.url} of workspace {endpoint.workspace.name} receives no more events. "
                    "Fix the receiver, then turn it on again (PATCH /api/v1/webhooks/{id}/ with is_active true, or the admin).",
            from_email=None, recipient_list=owners, fail_silently=False,
        )
    except Exception:
        logger.exception("webhooks: could not email the owners of workspace %s", endpoint.workspace_id)


def retry_due(*, now=None, limit=500) -> int:
    """Hand deliveries whose retry is due (and lost messages) to the queue again: a safety net for
    the countdowns a broker restart may drop."""
    from .tasks import deliver_webhook

    now = now or timezone.now()
    ids = list(WebhookDelivery.objects.filter(
        status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED], next_attempt_at__lte=now - timedelta(seconds=60)
    ).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    for delivery_id in ids:
        deliver_webhook.delay(delivery_id)
    return len(ids)
