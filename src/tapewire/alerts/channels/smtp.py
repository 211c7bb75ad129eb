"""Email alerts over SMTP: plain text and HTML, to a server checked by the SSRF guard."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
import time
from email.message import EmailMessage
from typing import ClassVar

from tapewire.alerts.channels.base import Job, Outcome
from tapewire.alerts.targets import TargetError, resolve_target
from tapewire.config import AlertsSettings


class EmailChannel:
    name: ClassVar[str] = "email"

    def __init__(self, settings: AlertsSettings) -> None:
        self._settings = settings

    async def send(self, job: Job) -> Outcome:
        started = time.perf_counter()
        try:
            await asyncio.to_thread(self._send, job)
        except TargetError as exc:
            return Outcome(False, None, _ms(started), str(exc), retry=False)
        except smtplib.SMTPRecipientsRefused as exc:
            return Outcome(False, None, _ms(started), f"recipient refused: {exc}"[:300], False)
        except (smtplib.SMTPException, OSError) as exc:
            return Outcome(False, None, _ms(started), f"{type(exc).__name__}: {exc}"[:300])
        return Outcome(True, 250, _ms(started))

    def _send(self, job: Job) -> None:
        cfg = self._settings
        host = cfg.smtp_host
        if not host:
            raise TargetError("alerts.smtp_host is not set")
        ip = resolve_target(host, cfg.smtp_port, allow_private=cfg.allow_private_targets)[0]
        message = EmailMessage()
        message["From"] = cfg.smtp_from
        message["To"] = job.target
        message["Subject"] = str(job.payload.get("subject", "tapewire alert"))
        message["Message-ID"] = f"<{job.idempotency_key}@tapewire>"  # the same on every attempt
        message["X-Tapewire-Idempotency-Key"] = job.idempotency_key
        message.set_content(str(job.payload.get("text", "")))
        message.add_alternative(str(job.payload.get("html", "")), subtype="html")
        with smtplib.SMTP(timeout=cfg.timeout_s) as smtp:
            smtp.connect(str(ip), cfg.smtp_port)  # the checked address, not a second lookup
            smtp._host = host  # type: ignore[attr-defined]  # STARTTLS checks the name
            if cfg.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if cfg.smtp_user and cfg.smtp_password:
                smtp.login(cfg.smtp_user, cfg.smtp_password.get_secret_value())
            smtp.send_message(message)


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
