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

REDACTED = "<redacted>"

# Eleven digits or more in a row: a mobile number (11), an old identity number (15), a resident identity
# number (18), a bank card. No value riskeval checks has that many digits for a good reason.
_LONG_NUMBER = re.compile(r"\d{11,}")
# Han characters: names are written in them. Place names too, and only the place fields may echo them.
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
PLACE_FIELDS = frozenset({"province", "county"})
_RESIDENT_ID = re.compile(r"^[1-9]\d{5}((?:19|20)\d{2})(\d{2})(\d{2})\d{3}[\dXx]$")


def shown(value: Any, field: str | int | None = None) -> Any:
    """The value as an error may show it: redacted when it may be an identity number or a name."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return REDACTED if abs(value) >= 10**10 else value
    if isinstance(value, str) and (_LONG_NUMBER.search(value) or (field not in PLACE_FIELDS and _HAN.search(value))):
        return REDACTED
    return value


def scrubbed(message: str, value: Any, field: str | int | None = None) -> tuple[str, Any]:
    """An error's message and value as it may show them: a redacted value is taken out of the message too."""
    safe = shown(value, field)
    if safe is REDACTED and value is not REDACTED:
        message = message.replace(repr(value), REDACTED).replace(str(value), REDACTED)
    return message, safe


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
