"""A task for tests/ops/test_worker_logging.py: it logs secrets the way careless code might. The
worker under test imports this module with `--include`; nothing in the application does."""

import logging

from celery import shared_task
from celery.utils.log import get_task_logger

task_logger = get_task_logger(__name__)
module_logger = logging.getLogger("social_media.services.tokens")


@shared_task(name="tests.ops.logging_tasks.log_secrets")
def log_secrets(marker, token):
    task_logger.warning("%s task logger: refreshed, access_token=%s", marker, token)
    module_logger.warning("%s module logger: GET /api/v1/accounts/callback/x/?state=s&code=%s", marker, token)
    module_logger.warning("%s module logger: Authorization: Bearer %s", marker, token)
    print(f"{marker} print: refresh_token={token}")
