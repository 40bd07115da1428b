"""The periodic alert check (default queue), and the heartbeat every worker writes so the check can
tell whether a posting worker is alive."""

import logging
import threading

from celery import shared_task
from celery.signals import worker_ready, worker_shutdown
from django.conf import settings
from django.db import close_old_connections, connection

from . import services

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def check_alerts_task():
    return services.check_all().summary()


class _Heartbeat(threading.Thread):
    """Writes this worker's WorkerHeartbeat row every ALERT_WORKER_HEARTBEAT_SECONDS through the
    database (not the broker or the cache: `make run`'s filesystem broker cannot answer a ping quickly
    and its local-memory cache is per process), then closes its connection."""

    def __init__(self, hostname, queues):
        super().__init__(name="alerts-heartbeat", daemon=True)
        self.hostname, self.queues, self.stopped = hostname, queues, threading.Event()

    def run(self):
        while not self.stopped.is_set():
            try:
                close_old_connections()
                services.worker_heartbeat(hostname=self.hostname, queues=self.queues)
            except Exception as exc:  # noqa: BLE001 - a database outage is an alert of its own
                logger.warning("worker heartbeat not written (%s)", exc.__class__.__name__)
            finally:
                connection.close()
            self.stopped.wait(settings.ALERT_WORKER_HEARTBEAT_SECONDS)


_heartbeat = None


@worker_ready.connect
def _start_heartbeat(sender=None, **kwargs):
    global _heartbeat
    queues = list(sender.app.amqp.queues.consume_from) if sender is not None else []
    _heartbeat = _Heartbeat(getattr(sender, "hostname", "") or "worker", queues)
    _heartbeat.start()


@worker_shutdown.connect
def _stop_heartbeat(**kwargs):
    if _heartbeat is not None:
        _heartbeat.stopped.set()
