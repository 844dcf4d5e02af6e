"""Bounce notices saved from Outlook as `.msg` files (OLE compound files, [MS-OXMSG]).

`extract-msg` reads the file; its MIME form (the transport headers Outlook kept, the body,
attached original messages) goes to the bounce parser like an `.eml`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from deliverability.errors import InputError

#: The signature of an OLE compound file, the container of Outlook's `.msg` files.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def is_outlook_msg(data: bytes) -> bool:
    return data.startswith(OLE_SIGNATURE)


def msg_as_mime(path: Path) -> bytes:
    """The mail of an Outlook `.msg` file as MIME bytes; a German error if it is no mail."""
    import extract_msg  # imported here: start-up of every other command stays fast

    # extract-msg logs every property it cannot decode; the analyst gets our sentence instead
    logging.getLogger("extract_msg").setLevel(logging.ERROR)
    try:
        message = extract_msg.openMsg(str(path), delayAttachments=False)
    except Exception as error:  # extract-msg raises many kinds for a broken file
        raise InputError(
            f"Die Outlook-Datei (.msg) ist nicht lesbar ({type(error).__name__}: {error}).",
            path=path,
        ) from None
    try:
        if not hasattr(message, "asEmailMessage"):
            raise InputError(
                "Die Outlook-Datei (.msg) enthält keine E-Mail, sondern ein anderes "
                f"Outlook-Element ({type(message).__name__}).",
                path=path,
            )
        try:
            return bytes(message.asEmailMessage().as_bytes())
        except Exception as error:
            raise InputError(
                f"Die Outlook-Datei (.msg) ist nicht lesbar ({type(error).__name__}: {error}).",
                path=path,
            ) from None
    finally:
        message.close()
