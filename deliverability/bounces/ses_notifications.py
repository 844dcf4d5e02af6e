"""Amazon SES notifications (bounce, complaint, delivery) as JSON, mailed by SNS.

An SES notification sent to an e-mail subscription is a JSON object in the mail body, either
bare (`{"notificationType": "Bounce", ...}`) or wrapped in an SNS envelope whose `Message`
field holds the JSON as a string. Field names per the SES developer guide
("Amazon SES notification contents"); newer event publishing uses `eventType` instead.
"""

from __future__ import annotations

import json
import re
from typing import Any

from deliverability.bounces.failure import Failure
from deliverability.classify.vendor_reasons import vendor_reasons

#: SES bounce sub-types that name a reason when the remote server's text does not
#: (rule data, see `classify.vendor_reasons`).
SUBTYPE_REASONS = vendor_reasons("ses", "bounceSubType")


def _json_objects(text: str) -> list[dict[str, Any]]:
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start >= 0:
        try:
            value, _ = decoder.raw_decode(text, start)
        except ValueError:
            start = text.find("{", start + 1)
            continue
        return [value] if isinstance(value, dict) else []
    return []


_TYPE = re.compile(r'"(notificationType|eventType)"\s*:\s*"(\w+)"')


def _section(text: str, name: str) -> dict[str, Any]:
    """The object under `"name":` decoded on its own, so that a damaged tail (SNS mails wrap
    long lines) does not spoil the part that matters."""
    match = re.search(rf'"{name}"\s*:\s*{{', text)
    if not match:
        return {}
    try:
        value, _ = json.JSONDecoder().raw_decode(text, match.end() - 1)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _notification(text: str) -> dict[str, Any] | None:
    for value in _json_objects(text):
        if isinstance(value.get("Message"), str):
            inner = _json_objects(value["Message"])
            value = inner[0] if inner else value
        if "notificationType" in value or "eventType" in value:
            return value
    if '\\"notificationType' in text or '\\"eventType' in text:
        text = text.replace('\\"', '"')  # the notification as an escaped JSON string
    match = _TYPE.search(text)
    if match is None:
        return None
    kind = match.group(2)
    return {match.group(1): kind, kind.lower(): _section(text, kind.lower())}


def ses_notification(text: str) -> tuple[str, list[Failure]] | None:
    """(kind, failures) of an SES notification in `text`, or None when there is none.

    kind is "bounce", "feedback" or "delivered".
    """
    if (
        '"notificationType"' not in text
        and '"eventType"' not in text
        and '\\"notificationType' not in text
    ):
        return None
    note = _notification(text)
    if note is None:
        return None
    kind = str(note.get("notificationType") or note.get("eventType") or "")
    if kind == "Bounce":
        bounce = note.get("bounce") or {}
        hint = SUBTYPE_REASONS.get(str(bounce.get("bounceSubType")))
        mta = str(bounce.get("reportingMTA") or "").partition(";")[2].strip() or None
        failures = []
        for item in bounce.get("bouncedRecipients") or []:
            diagnostic = str(item.get("diagnosticCode") or "")
            kind_part, sep, rest = diagnostic.partition(";")
            failures.append(
                Failure(
                    recipient=item.get("emailAddress"),
                    status=item.get("status") or None,
                    diagnostic=(rest.strip() if sep else diagnostic) or None,
                    diagnostic_type=kind_part.strip().upper() if sep else None,
                    remote_mta=mta,
                    dsn_action=item.get("action") or None,
                    hint=hint,
                )
            )
        return "bounce", failures
    if kind == "Complaint":
        complaint = note.get("complaint") or {}
        feedback = str(complaint.get("complaintFeedbackType") or "abuse")
        return "feedback", [
            Failure(item.get("emailAddress"), diagnostic=f"feedback-type: {feedback}")
            for item in complaint.get("complainedRecipients") or []
        ]
    if kind == "Delivery":
        delivery = note.get("delivery") or {}
        response = str(delivery.get("smtpResponse") or "") or None
        mta = delivery.get("reportingMTA") or delivery.get("remoteMtaIp")
        return "delivered", [
            Failure(address, diagnostic=response, remote_mta=mta).with_text_facts()
            for address in delivery.get("recipients") or []
        ]
    return None
