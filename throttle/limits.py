"""Every rate limit of the application, in one place (docs/security.md repeats them for people).

A limit is a number of requests in a fixed window of time, counted per account (or, for the anonymous
password-reset request, per address typed and per client network). The numbers are set well above a
real person's busiest day, so that only a script, a stuck key or a flood meets them:

- **exports** — each one queues a job of seconds on the worker that also sends the notifications (referral
  files, indicators prepared in the background), or streams thousands of rows (access log), or gathers a
  young person's whole file (personal data, JSON). A manager exports a few times a week, an administrator
  a few times while investigating: 10 in 10 minutes is several times a hurried person's retries, and caps
  one account at 10 queued jobs, instead of the 50 in 4 seconds seen in the security audit.
- **documents** — a PDF (or an indicators spreadsheet) built during the request: referral file, personal
  data, attendance sheet, indicators report, signed consent form. An adviser preparing a committee opens a
  dozen referral files in a row; 60 in 10 minutes is one every 10 seconds for 10 minutes on end.
- **searches** — the young people's search by name and the directory's search box (each page of results
  too), and the access log's filter. Someone typing searches as fast as they read answers makes one every
  few seconds: 120 a minute is 2 a second sustained, reached only by a script.
- **password-reset requests** — anonymous: counted per address typed (5 an hour: the person who did not
  find the e-mail asks again two or three times; more would flood a mailbox) and per client network
  (20 an hour: a whole office behind one address forgetting their passwords in the same hour is not a
  normal day, while 21 requests in 3 seconds, as in the audit, are stopped at the 21st). Both counters
  depend only on what was typed and where from, never on whether an account exists: the answer for a
  known and an unknown address stays the same, 429 included.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Limit:
    """``count`` requests per ``seconds`` (a fixed window per key: django-ratelimit's), named ``group``."""

    group: str
    count: int
    seconds: int

    @property
    def rate(self) -> tuple[int, int]:
        """The limit as django-ratelimit reads it."""
        return (self.count, self.seconds)


EXPORTS = Limit(group="exports", count=10, seconds=10 * 60)
DOCUMENTS = Limit(group="documents", count=60, seconds=10 * 60)
SEARCHES = Limit(group="searches", count=120, seconds=60)
PASSWORD_RESETS_PER_ADDRESS = Limit(group="password_reset_address", count=5, seconds=60 * 60)
PASSWORD_RESETS_PER_NETWORK = Limit(group="password_reset_network", count=20, seconds=60 * 60)

ALL = (EXPORTS, DOCUMENTS, SEARCHES, PASSWORD_RESETS_PER_ADDRESS, PASSWORD_RESETS_PER_NETWORK)
