"""The referral's declared table: who may make each move and what it requires.

Pure data (no service, no query), so that the access rules (``e2c_referrals.access``) and the
services can read it without importing the service that applies it
(``e2c_referrals.workflow.referrals.referral_transition``).
"""

from __future__ import annotations

import dataclasses
import enum

from e2c_referrals.enums import ReferralStatus
from states.tables import Move as StateMove
from states.tables import StateTable, register

S = ReferralStatus


class Side(enum.Enum):
    REFERRER = "referrer"  # advisers and managers of the referring ML or France Travail agency
    E2C = "e2c"  # staff and managers of the E2C site (or of its school)
    EITHER = "either"


class Field(enum.StrEnum):
    REASON = "reason"
    NOT_ADMITTED_REASON = "not_admitted_reason"
    INTEGRATION = "integration"  # start and planned end, 3 to 6 weeks apart
    ENROLLED_ON = "enrolled_on"
    EXIT = "exit"  # date, outcome, skills certificate
    SESSION = "session"  # the information session: these moves are made from the session pages


@dataclasses.dataclass(frozen=True)
class Move:
    side: Side
    label: str  # the button's words
    requires: frozenset[Field] = frozenset()


def move(side: Side, label: str, *requires: Field) -> Move:
    return Move(side=side, label=label, requires=frozenset(requires))


# (from, to) → who may make the move and what it requires. Nothing else changes a referral's state.
TRANSITIONS: dict[tuple[str, str], Move] = {
    (S.DRAFT, S.SENT): move(Side.REFERRER, "Envoyer à l'E2C"),
    (S.DRAFT, S.CANCELLED): move(Side.REFERRER, "Abandonner le brouillon"),
    (S.SENT, S.ACKNOWLEDGED): move(Side.E2C, "Prendre en compte"),
    # Invitations are registrations to a session, by the referring adviser or the E2C staff
    # (``e2c_referrals.services.sessions``); leaving the session frees the seat.
    (S.ACKNOWLEDGED, S.INVITED): move(Side.EITHER, "Inscrire à une information collective", Field.SESSION),
    (S.INVITED, S.ACKNOWLEDGED): move(Side.EITHER, "Désinscrire de la séance", Field.SESSION),
    (S.ACKNOWLEDGED, S.NOT_ADMITTED): move(Side.E2C, "Ne pas admettre", Field.NOT_ADMITTED_REASON),
    (S.INVITED, S.ATTENDED): move(Side.E2C, "Présent(e) à l'information collective"),
    (S.INVITED, S.NO_SHOW): move(Side.E2C, "Absent(e) à l'information collective"),
    (S.NO_SHOW, S.INVITED): move(Side.EITHER, "Inscrire à une autre séance", Field.SESSION),
    (S.ATTENDED, S.INTERVIEW): move(Side.E2C, "Entretien"),
    (S.ATTENDED, S.NOT_ADMITTED): move(Side.E2C, "Ne pas admettre", Field.NOT_ADMITTED_REASON),
    (S.INTERVIEW, S.INTEGRATION): move(Side.E2C, "Commencer la période d'intégration", Field.INTEGRATION),
    (S.INTERVIEW, S.NOT_ADMITTED): move(Side.E2C, "Ne pas admettre", Field.NOT_ADMITTED_REASON),
    (S.INTEGRATION, S.ENROLLED): move(Side.E2C, "Confirmer l'entrée en parcours", Field.ENROLLED_ON),
    (S.INTEGRATION, S.NOT_ADMITTED): move(Side.E2C, "Période d'intégration non validée", Field.NOT_ADMITTED_REASON),
    (S.ENROLLED, S.EXITED): move(Side.E2C, "Enregistrer la sortie", Field.EXIT),
    # The young person withdraws (or drops out of the integration period): either side records it.
    **{
        (origin, S.WITHDRAWN): move(Side.EITHER, "Désistement ou abandon du jeune", Field.REASON)
        for origin in (S.SENT, S.ACKNOWLEDGED, S.INVITED, S.NO_SHOW, S.ATTENDED, S.INTERVIEW, S.INTEGRATION)
    },
    # The referrer cancels, before enrolment.
    **{
        (origin, S.CANCELLED): move(Side.REFERRER, "Annuler l'orientation", Field.REASON)
        for origin in (S.SENT, S.ACKNOWLEDGED, S.INVITED, S.NO_SHOW, S.ATTENDED, S.INTERVIEW, S.INTEGRATION)
    },
}

# The same table in the shared shape, for the registry every status of the project is declared in
# (``states.tables``): ``referral_transition`` below is its only writer and ``ReferralTransition``
# its log, so the shared service and log are not used for referrals.
REFERRAL = register(
    StateTable(
        name="referral",
        model="e2c_referrals.Referral",
        field="status",
        initial=frozenset({S.DRAFT}),
        moves={key: StateMove(found.label) for key, found in TRANSITIONS.items()},
        writers=("e2c_referrals.workflow.referrals",),
        log=False,
    )
)

# While the file is restricted (RGPD article 18), only the moves that stop processing are made:
# cancelling or withdrawing the referral, and leaving an information session (unregistered, or the
# session cancelled).
STOPPING_MOVES = frozenset(
    {(origin, to) for (origin, to) in TRANSITIONS if to in (S.CANCELLED, S.WITHDRAWN)} | {(S.INVITED, S.ACKNOWLEDGED)}
)
