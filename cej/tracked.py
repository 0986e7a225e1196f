"""The change history of the young person's file (``history``): the event models of cej's tracked
models, and how each belongs to a file. Discovered by ``history.models``."""

from cej.models import (
    CejContract,
    Consent,
    FollowUp,
    PaceaContract,
    PaceaPhase,
    Restriction,
    StructuringStep,
    YoungPerson,
)
from history.registry import register_file_events, register_model_label
from history.tracking import track

YoungPersonChange = track(YoungPerson, "YoungPersonChange")
ConsentChange = track(Consent, "ConsentChange")
CejContractChange = track(CejContract, "CejContractChange")
PaceaContractChange = track(PaceaContract, "PaceaContractChange")
StructuringStepChange = track(StructuringStep, "StructuringStepChange")
PaceaPhaseChange = track(PaceaPhase, "PaceaPhaseChange")
FollowUpChange = track(FollowUp, "FollowUpChange")
RestrictionChange = track(Restriction, "RestrictionChange")

# The rows of file {pk}: the file itself, what hangs from it, and (two links away) a contract's
# steps and phases, found through the contracts' event tables so a deleted contract's stay.
register_file_events("history.YoungPersonChange", "_event.pgh_obj_id = {pk}")
for label in ("ConsentChange", "CejContractChange", "PaceaContractChange", "FollowUpChange"):
    register_file_events(f"history.{label}", "_event.young_person_id = {pk}")
register_file_events(
    "history.StructuringStepChange",
    "_event.contract_id IN (SELECT pgh_obj_id FROM {history.CejContractChange} WHERE young_person_id = {pk})",
)
register_file_events(
    "history.PaceaPhaseChange",
    "_event.contract_id IN (SELECT pgh_obj_id FROM {history.PaceaContractChange} WHERE young_person_id = {pk})",
)
register_model_label("cej.YoungPerson", "Dossier du jeune")
register_model_label("cej.PaceaPhase", "Phase du PACEA")
