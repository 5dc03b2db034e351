"""pytest plugin: collects the golden cases of rule packs (``<pack>/tests/*.yaml``).

Registered through the ``pytest11`` entry point, so it must stay cheap to import and
collect nothing outside a pack folder.
"""

from __future__ import annotations
