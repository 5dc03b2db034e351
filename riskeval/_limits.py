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
# Numbers in a rule pack: each has a range checked at load (docs/errors.md lists them). Durations are
# bounded so that a plan or a due date computed from any assessment date up to facts._as_of.LATEST stays
# inside the calendar (year 9999): LATEST leaves two centuries, the longest plan asks for about 125 years.
MAX_PACK_DAYS = 3_660  # ten years of days: deadlines (working or calendar days), windows, lead and grace days
MAX_PACK_HOURS = 24 * MAX_PACK_DAYS  # a deadline in hours
MAX_PACK_MONTHS = 120  # ten years of months: cadences, intervals, horizons, follow-ups
MAX_PACK_AGE = 30  # an age the schedule plans around (a milestone, the age after which follow-ups run)
MAX_PACK_VISITS = 12  # cadence visits one plan lists
MAX_PACK_COUNT = 1_000  # a count in a correlation (events in a window), levels of escalation
MAX_PACK_NUMBER = 10**15  # any other number: parameter values, literals in expressions (finite, never NaN)
# How many rules deep one rule may read through predicates (the default pack's deepest chain is a few).
MAX_PACK_CHAIN = 64
# Whole digits of an integer literal in a rule file (YAML or an expression) before it is converted at all.
MAX_PACK_DIGITS = 30
# How long a Monitor remembers an applied event's id, per household, counted back from the household's
# latest applied event (or the pack's longest correlation window, if longer): a copy within it is a
# duplicate_id record wherever it reappears; an id reused after it is a new event. A bound on memory, so
# that post() and replay() run for years in flat memory.
EVENT_ID_WINDOW_DAYS = 366
