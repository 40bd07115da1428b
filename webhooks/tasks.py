from celery import shared_task

from . import services


@shared_task(name="webhooks.tasks.deliver_webhook", ignore_result=True)
def deliver_webhook(delivery_id):
    return services.deliver(delivery_id=delivery_id)


@shared_task(name="webhooks.tasks.retry_due_webhooks", expires=120)
def retry_due_webhooks():
    return services.retry_due()
