"""One referral: open it from the file, read it (logged), move it, attach documents, post-exit news."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.text import slugify

from audit.models import AccessLog
from audit.services import log_access, log_accesses
from cej.access import require_file_holder
from cej.enums import SharedData
from cej.selectors.young_people import young_person_for_actor
from common.forms import attach_errors, is_submitted, submitted_data
from common.http_methods import http_methods
from e2c_referrals.access import (
    Refusal,
    can_add_attachments,
    can_add_news,
    can_handle,
    can_refer,
    can_see_attachments,
    is_referrer_of,
    on_e2c_side,
    on_referrer_side,
    referral_moves,
)
from e2c_referrals.enums import ReferralStatus
from e2c_referrals.forms.referrals import AttachmentForm, MoveForm, PostExitNewsForm, ReferralForm
from e2c_referrals.models import Attachment, Referral
from e2c_referrals.selectors.inbox import shared_view
from e2c_referrals.selectors.referrals import (
    hand_backs_of_referral,
    other_network_referrals,
    post_exit_news_of_referral,
    referral_contracts,
    referral_for_actor,
    restricted_since,
    transitions_of_referral,
)
from e2c_referrals.selectors.sessions import registrations_of_referral
from e2c_referrals.services.post_exit import follow_up_ends_on, post_exit_news_add
from e2c_referrals.services.referrals import OtherNetworkReferral, attachment_add, referral_create
from e2c_referrals.workflow import referral_transition
from partners.access import Actor, actor_for

# Moves shown as secondary (outlined in red) buttons: they end or set back the referral.
SETBACKS = frozenset(
    {ReferralStatus.NOT_ADMITTED, ReferralStatus.NO_SHOW, ReferralStatus.WITHDRAWN, ReferralStatus.CANCELLED}
)
EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


def _sides(actor: Actor, referral: Referral) -> dict[str, bool]:
    return {"on_referrer_side": on_referrer_side(actor, referral), "on_e2c_side": on_e2c_side(actor, referral)}


@http_methods("GET", "POST")
@login_required
def referral_create_view(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    young_person = young_person_for_actor(actor=actor, public_id=public_id)
    require_file_holder(actor)
    # The same list as the creation guard (drafts included): the adviser confirms what they saw.
    others = other_network_referrals(young_person=young_person, include_drafts=True)
    data = submitted_data(request)
    form = ReferralForm(data, young_person=young_person, with_confirmation=bool(others))
    if is_submitted(request) and form.is_valid():
        try:
            referral = referral_create(
                actor=actor,
                young_person=young_person,
                data=form.to_data(),
                aware_of_other_network=form.other_network_confirmed,
                eligibility_checked=form.eligibility_confirmed,
            )
        except OtherNetworkReferral as found:
            others = found.referrals
            form = ReferralForm(data, young_person=young_person, with_confirmation=True)
            form.is_valid()
            form.add_error(
                "aware_of_other_network",
                "Ce jeune est déjà orienté par une autre structure : prenez connaissance de l'orientation "
                "ci-dessus, puis cochez cette case pour confirmer.",
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                "Le brouillon est enregistré. Ajoutez les pièces jointes utiles, puis cliquez sur « Envoyer à l'E2C ».",
            )
            return redirect("e2c_referrals:referral_detail", public_id=referral.public_id)
    return render(
        request, "e2c_referrals/referral_form.html", {"form": form, "young_person": young_person, "others": others}
    )


@http_methods("GET")
@login_required
def referral_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    referral = referral_for_actor(actor=actor, public_id=public_id, page=True)
    # The page shows the young person: "who read this young person" must find E2C reads too.
    log_accesses(actor=actor, records=[referral, referral.young_person], purpose=AccessLog.Purpose.VIEW_FILE)
    referrer_side = on_referrer_side(actor, referral)
    shared = shared_view(actor=actor, referral=referral)  # what the E2C sees of the young person
    attachments_visible = can_see_attachments(actor, referral)
    since = restricted_since(referral)  # read with the referral (``page=True``)
    exited = referral.status == ReferralStatus.EXITED
    today = timezone.localdate()
    return render(
        request,
        "e2c_referrals/referral_detail.html",
        {
            "referral": referral,
            "restricted_since": since,
            "young_person": referral.young_person,
            "on_referrer_side": referrer_side,
            "on_e2c_side": on_e2c_side(actor, referral),
            "shared": shared,
            "consent_missing": referral.status == ReferralStatus.DRAFT and not shared.consent_categories,
            "can_record_consent": is_referrer_of(actor, referral),
            # Another structure's referrals are the referrer's business, never the E2C staff's.
            "others": other_network_referrals(young_person=referral.young_person) if referrer_side else [],
            "moves": [
                (offer.to, offer, offer.to in SETBACKS)
                for offer in referral_moves(actor, referral, restricted=since is not None).values()
                if offer.offered
            ],
            "registrations": list(registrations_of_referral(referral)),
            "attachments": list(referral.attachments.all()) if attachments_visible else [],
            "attachments_visible": attachments_visible,
            "attachment_form": AttachmentForm() if can_add_attachments(actor, referral) else None,
            "transitions": transitions_of_referral(referral),
            "hand_backs": [(hand_back, can_handle(actor, hand_back)) for hand_back in hand_backs_of_referral(referral)],
            # Shown after the exit only (the page's "Suivi après la sortie" section).
            "news": post_exit_news_of_referral(referral) if exited else [],
            "can_add_news": can_add_news(actor, referral),
            "follow_up_ends_on": follow_up_ends_on(referral),
            # What the referral file (PDF) shows is on the page too (RGAA 13.3).
            "contracts": referral_contracts(referral, today=today) if shared.shows(SharedData.CONTRACTS) else None,
            "today": today,
        },
    )


@http_methods("GET", "POST")
@login_required
def referral_move(request: HttpRequest, public_id: str, to: str) -> HttpResponse:
    if to not in ReferralStatus.values:
        raise Http404("État inconnu.")
    actor = actor_for(request)
    referral = referral_for_actor(actor=actor, public_id=public_id)
    offer = referral_moves(actor, referral).get(to)
    if offer is None:
        messages.error(
            request,
            f"Ce changement n'est plus possible : l'orientation est « {referral.get_status_display()} ». "
            "Quelqu'un l'a peut-être déjà fait évoluer.",
        )
        return redirect("e2c_referrals:referral_detail", public_id=referral.public_id)
    if offer.refusal is Refusal.SESSION_PAGE:
        raise Http404(offer.reason)
    if not offer.offered:
        raise PermissionDenied(offer.reason)
    if offer.on_registration_page:
        return redirect("e2c_referrals:referral_register", public_id=referral.public_id)
    found = offer.move
    form = MoveForm(submitted_data(request), move=found)
    consent_missing = False
    if is_submitted(request) and form.is_valid():
        try:
            referral_transition(actor=actor, referral=referral, to=to, data=form.to_data())
        except ValidationError as error:
            consent_missing = hasattr(error, "error_dict") and "consent" in error.error_dict
            attach_errors(form, error)
        else:
            messages.success(request, f"L'orientation est maintenant « {ReferralStatus(to).label} ».")
            return redirect("e2c_referrals:referral_detail", public_id=referral.public_id)
    return render(
        request,
        "e2c_referrals/move.html",
        {
            "referral": referral,
            "move": found,
            "to_label": ReferralStatus(to).label,
            "form": form,
            "consent_missing": consent_missing,
            "can_record_consent": can_refer(actor),
            **_sides(actor, referral),
        },
    )


@http_methods("GET", "POST")
@login_required
def attachment_add_view(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    referral = referral_for_actor(actor=actor, public_id=public_id)
    if not is_referrer_of(actor, referral):
        raise PermissionDenied("Seul le prescripteur ajoute des pièces jointes.")
    if not can_add_attachments(actor, referral):
        messages.error(request, "Les pièces jointes s'ajoutent avant l'information collective.")
        return redirect("e2c_referrals:referral_detail", public_id=referral.public_id)
    form = AttachmentForm(submitted_data(request), request.FILES if is_submitted(request) else None)
    if is_submitted(request) and form.is_valid():
        try:
            attachment = attachment_add(
                actor=actor, referral=referral, uploaded=form.cleaned_data["file"], label=form.cleaned_data["label"]
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"La pièce « {attachment.label} » est jointe à l'orientation.")
            return redirect("e2c_referrals:referral_detail", public_id=referral.public_id)
    return render(
        request, "e2c_referrals/attachment_form.html", {"referral": referral, "form": form, **_sides(actor, referral)}
    )


def _attachment_of(referral: Referral, attachment_id: str) -> Attachment:
    try:
        return referral.attachments.get(public_id=attachment_id)
    except (Attachment.DoesNotExist, ValueError, ValidationError) as error:
        raise Http404("Pièce jointe introuvable.") from error


@http_methods("GET")
@login_required
def attachment_download(request: HttpRequest, public_id: str, attachment_id: str) -> FileResponse:
    actor = actor_for(request)
    referral = referral_for_actor(actor=actor, public_id=public_id)
    if not can_see_attachments(actor, referral):
        raise Http404("Pièce jointe introuvable.")
    attachment = _attachment_of(referral, attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("Le fichier de cette pièce jointe est introuvable.") from error
    log_access(actor=actor, record=attachment, purpose=AccessLog.Purpose.DOWNLOAD)
    extension = EXTENSIONS.get(attachment.content_type, "bin")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{slugify(attachment.label)[:60] or 'piece'}.{extension}",
        content_type=attachment.content_type,
    )


@http_methods("GET", "POST")
@login_required
def post_exit_news_add_view(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    referral = referral_for_actor(actor=actor, public_id=public_id)
    if not can_add_news(actor, referral):
        messages.error(request, "Les nouvelles après la sortie se notent une fois la sortie du parcours enregistrée.")
        return redirect("e2c_referrals:referral_detail", public_id=referral.public_id)
    form = PostExitNewsForm(submitted_data(request))
    if is_submitted(request) and form.is_valid():
        try:
            post_exit_news_add(
                actor=actor,
                referral=referral,
                news_on=form.cleaned_data["news_on"],
                situation=form.cleaned_data["situation"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, "Les nouvelles sont enregistrées.")
            return redirect("e2c_referrals:referral_detail", public_id=referral.public_id)
    return render(
        request,
        "e2c_referrals/post_exit_news_form.html",
        {
            "referral": referral,
            "form": form,
            "follow_up_ends_on": follow_up_ends_on(referral),
            **_sides(actor, referral),
        },
    )


urlpatterns = [
    path("jeunes/<uuid:public_id>/orienter/", referral_create_view, name="referral_create"),
    path("orientations/<uuid:public_id>/", referral_detail, name="referral_detail"),
    path("orientations/<uuid:public_id>/etat/<str:to>/", referral_move, name="referral_move"),
    path("orientations/<uuid:public_id>/pieces/ajouter/", attachment_add_view, name="attachment_add"),
    path("orientations/<uuid:public_id>/pieces/<uuid:attachment_id>/", attachment_download, name="attachment_download"),
    path("orientations/<uuid:public_id>/nouvelles/", post_exit_news_add_view, name="post_exit_news_add"),
]
