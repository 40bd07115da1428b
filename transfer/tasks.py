from celery import shared_task

from config.queues import CeleryQueue

from . import importing


@shared_task(name="transfer.tasks.run_import", queue=CeleryQueue.DEFAULT, ignore_result=True)
def run_import(job_id):
    """Import a queued ImportJob's rows (transfer/importing.py); a redelivery of a job already run does nothing."""
    importing.import_run(job_id=job_id)
