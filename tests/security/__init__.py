"""The attack battery's counts, printed in the test run's summary (tests/conftest.py)."""

from collections import Counter

COUNTS: Counter[str] = Counter()
