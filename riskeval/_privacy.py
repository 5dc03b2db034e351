"""What riskeval may echo of the input: never a person's identity number or name (the project's rule).

An error record shows the offending value so that a clerk can find the cell. The fields meant to hold
personal data are redacted by name (``facts._parse.SENSITIVE``), but such data also turns up where it was
never meant to be: an identity number typed into a date cell, a child's name in an enum column. So a value
is also judged by its shape, wherever it stands.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from riskeval.errors import PLACE_FIELDS, REDACTED, scrub_text, shown

__all__ = ["PLACE_FIELDS", "REDACTED", "is_resident_id", "scrub_text", "scrubbed", "shown"]

_RESIDENT_ID = re.compile(r"^[1-9]\d{5}((?:19|20)\d{2})(\d{2})(\d{2})\d{3}[\dXx]$")


def scrubbed(message: str, value: Any, field: str | int | None = None) -> tuple[str, Any]:
    """An error's message and value as it may show them: a redacted value is taken out of the message too."""
    safe = shown(value, field)
    if safe is REDACTED and value is not REDACTED:
        message = message.replace(repr(value), REDACTED).replace(str(value), REDACTED)
    return scrub_text(message, field), safe


def is_resident_id(text: str) -> bool:
    """Whether text has the shape of a resident identity number (GB 11643-1999): 18 characters, the last a
    digit or X, with a real birth date (1900-2099) in characters 7-14. The check character is not tested:
    a mistyped number is still a person's. A random 18-digit number has this shape about once in 1,300."""
    m = _RESIDENT_ID.match(text)
    if m is None:
        return False
    try:
        date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return False
    return True
