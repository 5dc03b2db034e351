"""Limits on the SIZE of input, one place for all of them (documented in docs/errors.md).

These are not policy: no threshold of the rules is here (the rule pack holds those). They bound how much
work or memory one input may ask for, so that a mistake or a hostile file gives a located record instead of
a hang, a crash or gigabytes of records. Each is far above anything real: a household of 200 children is a
children's home, a 16 MiB household is a thousand times the largest example.
"""

from __future__ import annotations

# One household or event, as JSON text (a document, or one line of a JSON lines file). Streamed tables
# (CSV, Parquet) have no such limit: they are read in chunks.
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
# Arrays and objects nested in one household or event. The fact schema itself is five deep
# (household.children[i].disability.components[j]).
MAX_DEPTH = 32
# People in one household.
MAX_MEMBERS = 200
MAX_CHILDREN = 200
# Error records kept for one household (or one table row's household): the first ones, then one record that
# says how many more there were. Every rejected household still has at least one record.
MAX_RECORDS_PER_HOUSEHOLD = 50
# Event ids remembered for duplicate detection by a Monitor (a rolling window; docs/errors.md).
# Numbers in a rule pack: every integer, float and date offset a pack may hold is checked against a range
# at load (riskeval.pack._ranges); these are the widest, for values the pack language has no narrower range.
MAX_PACK_DAYS = 36_600  # a hundred years of days: deadlines, windows, lead and grace days
MAX_PACK_MONTHS = 1_200  # a hundred years of months: cadences, intervals, horizons
MAX_PACK_NUMBER = 10**15  # any other number: parameter values, literals in expressions
# Whole digits of an integer literal in a rule file (YAML or an expression) before it is converted at all.
MAX_PACK_DIGITS = 30
