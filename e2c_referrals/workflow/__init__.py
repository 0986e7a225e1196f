"""The states of the referral domain: each declared in one table, changed by one service.

- ``table``: the referral's table (``TRANSITIONS``, registered as ``REFERRAL``), pure data that the
  access rules read too;
- ``referrals``: ``referral_transition``, the one service that applies it;
- ``sessions``: the information session's table (``SESSION``) and the registration's
  (``REGISTRATION``), with ``session_change_state``, ``registration_change_state`` and the bulk
  ``registrations_withdraw``, the only writers of those states;
- ``seats``: what a referral's move does to its session seat, and the waiting list that fills a
  freed seat (it changes registrations through ``sessions``; the promoted referral is invited
  through a function the caller passes in, so it never imports ``referrals``).

Imports go one way: ``referrals`` → ``seats`` → ``sessions``. The session services
(``e2c_referrals.services.sessions``) call this package; nothing here calls them. The names of
``referrals`` are re-exported here, where the rest of the code imports them from, and so is
the hand-back rule its moves apply (``e2c_referrals.services.hand_backs.hand_back_reason``).
"""

from e2c_referrals.access import sides_of
from e2c_referrals.services.hand_backs import hand_back_reason
from e2c_referrals.workflow.referrals import TransitionData, fill_waiting_seats, referral_transition
from e2c_referrals.workflow.sessions import REGISTRATION, SESSION
from e2c_referrals.workflow.table import REFERRAL, STOPPING_MOVES, TRANSITIONS, Field, Move, Side

__all__ = [
    "REFERRAL",
    "REGISTRATION",
    "SESSION",
    "STOPPING_MOVES",
    "TRANSITIONS",
    "Field",
    "Move",
    "Side",
    "TransitionData",
    "fill_waiting_seats",
    "hand_back_reason",
    "referral_transition",
    "sides_of",
]
