"""The Celery app, built from settings when a command needs it (never at import time).

Every task is acked late and rejected back onto the queue when its worker process dies, so a
``kill -9`` loses nothing; tasks are idempotent (unique keys, replace-by-key writes), so a second
delivery is harmless. Results (needed to join a fan-out with a chord) go to the result backend.
"""

from __future__ import annotations

from typing import Any

from celery import Celery

from tapewire.config import Settings
from tapewire.errors import ConfigError

QUEUE = "tapewire"  # every stage task; the cluster step is kept single-writer by a lock
SETTINGS_KEY = "tapewire_settings"


def make_app(settings: Settings) -> Celery:
    """A Celery app on ``queue.broker_url`` whose tasks run with ``settings``.

    Raises:
        ConfigError: no broker is configured.
    """
    broker = settings.queue.broker_url
    if not broker:
        raise ConfigError("queue.broker_url is not set (e.g. redis://127.0.0.1:6379/0)")
    app = Celery("tapewire", broker=broker, backend=settings.queue.result_backend or broker)
    conf: dict[str, Any] = {
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_default_queue": QUEUE,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "result_expires": 3600,  # a pass joins its results within cycle_timeout_s; keeps Redis small
        "broker_transport_options": {
            "visibility_timeout": settings.queue.visibility_timeout_s,
            # Look for a dead worker's tasks every few seconds (kombu's default sweep is ~100 s).
            "unacked_restore_interval": max(1, min(10, settings.queue.visibility_timeout_s // 4)),
            "unacked_restore_throttle": 1,
        },
        "result_backend_transport_options": {
            "visibility_timeout": settings.queue.visibility_timeout_s
        },
        "broker_connection_retry_on_startup": True,
        "worker_hijack_root_logger": False,
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "timezone": "UTC",
        "beat_schedule": {
            "pipeline-pass": {
                "task": "tapewire.cycle",
                "schedule": 60.0 * settings.feeds.poll_minutes,
            }
        },
        SETTINGS_KEY: settings,
    }
    app.conf.update(conf)
    app.set_default()
    import tapewire.queue.tasks  # noqa: F401  (registers the shared tasks on this app)

    return app


def task_settings(app: Celery) -> Settings:
    settings = app.conf.get(SETTINGS_KEY)
    if not isinstance(settings, Settings):
        raise ConfigError("this Celery app was not made by tapewire.queue.app.make_app")
    return settings
