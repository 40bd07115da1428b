"""The filesystem broker `make run` uses by default, with a producer and a consumer at the same time."""

import threading

from kombu import Connection

from config.broker import Transport

MESSAGES = 300


def transport_options(tmp_path):
    folder = tmp_path / "broker"
    (folder / "out").mkdir(parents=True)
    (folder / "processed").mkdir()
    return {
        "data_folder_in": str(folder / "out"),
        "data_folder_out": str(folder / "out"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
    }


def produce_while_consuming(transport, options):
    """Send MESSAGES messages from one thread while another receives; returns what was received."""
    body = "x" * 200_000  # big enough that writing a message takes a while
    received, errors = [], []
    done_sending = threading.Event()

    def produce():
        with Connection("filesystem://", transport=transport, transport_options=options) as conn:
            queue = conn.SimpleQueue("default")
            for number in range(MESSAGES):
                queue.put({"n": number, "body": body})
        done_sending.set()

    def consume():
        with Connection("filesystem://", transport=transport, transport_options=options) as conn:
            queue = conn.SimpleQueue("default")
            while len(received) < MESSAGES:
                try:
                    message = queue.get(timeout=0.01 if not done_sending.is_set() else 2)
                except queue.Empty:
                    if done_sending.is_set():
                        return
                    continue
                except Exception as exc:  # what kills a worker
                    errors.append(exc)
                    return
                received.append(message.payload)
                message.ack()

    threads = [threading.Thread(target=produce), threading.Thread(target=consume)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return received, errors


def test_a_consumer_only_ever_sees_whole_messages(tmp_path):
    # With kombu's own filesystem transport this loses messages and raises JSONDecodeError every run.
    received, errors = produce_while_consuming(Transport, transport_options(tmp_path))

    assert errors == []
    assert sorted(m["n"] for m in received) == list(range(MESSAGES))
    assert all(len(m["body"]) == 200_000 for m in received)


def test_settings_use_it_for_filesystem_broker_urls():
    from django.conf import settings

    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        assert settings.CELERY_BROKER_TRANSPORT == "config.broker:Transport"
    else:
        assert settings.CELERY_BROKER_TRANSPORT is None

