"""One answer per rendered form: the token every POST form carries, checked around the view.

Every template's ``{% csrf_token %}`` also writes a hidden ``submission_token`` (a fresh UUID4 at each
rendering, ``submissions.templatetags.submissions``), so every form that posts carries one, crispy or
not, without each template or form class repeating it. When a signed-in person posts it,
``SubmittedOnceMiddleware`` runs the view inside a transaction that first inserts the token
(``SubmissionToken``, unique):

- the first post inserts it and runs the view; if the view answered with a redirect (the change is
  made), the token keeps that address and commits with the change: the same transaction;
- a second post of the same form (a double click, a retried request, five at once) waits on that
  insert until the first commits, then fails to insert: the view is not run and the person is sent
  where the first post went, told « Ce formulaire a déjà été envoyé »;
- a post the view answered otherwise (the form shown again with its errors, a refusal) deletes its
  token before committing: the form can be corrected and sent again, with the same token.

For the views that create (``submissions.registry``), the same content sent again by the same person
within ten minutes under a **new** token — Back then send (the ``no-store`` page comes back with a
fresh token and the browser refills the fields), or two tabs — is sent where the first went too: a
digest of the path and of the content (files by their SHA-256) is kept on the token, and posts of the
same digest take a transaction-level advisory lock on it, so two tabs at once are one after the other.

A POST without a token (a client of its own, the tests of each view) is served as before: the token
guards people's browsers against repeated submissions; the services keep their own rules.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable

from django.contrib import messages
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, UnreadablePostError
from django.urls import Resolver404, resolve
from django.utils import timezone

from submissions.models import SubmissionToken
from submissions.registry import CREATING_VIEWS, RESEND_WINDOW

FIELD = "submission_token"
ALREADY_SENT = "Ce formulaire a déjà été envoyé : voici le résultat du premier envoi."
SENT_AGAIN = (
    "Ce formulaire vient d'être envoyé avec exactement le même contenu : voici le résultat du premier envoi. "
    "Pour en créer un second, modifiez au moins un champ."
)
# Not part of what the person wrote.
_NOT_CONTENT = {FIELD, "csrfmiddlewaretoken"}


def posted_token(request: HttpRequest) -> uuid.UUID | None:
    """The token a signed-in person's POST carries, if any (a malformed one counts as none)."""
    if request.method != "POST" or not request.user.is_authenticated:
        return None
    try:
        raw = request.POST.get(FIELD, "")
    except UnreadablePostError:  # the client went away: the view's own reading says so
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def content_fingerprint(request: HttpRequest) -> str:
    """A digest of what a creating view's POST carries (path, fields, files' content), or "" for the
    other views. Kept instead of the content, which may name a young person."""
    try:
        view_name = resolve(request.path_info).view_name
    except Resolver404:
        return ""
    if view_name not in CREATING_VIEWS:
        return ""
    digest = hashlib.sha256(request.path_info.encode())
    for key in sorted(set(request.POST) - _NOT_CONTENT):
        for value in request.POST.getlist(key):
            digest.update(f"\x00{key}\x00{value}".encode())
    for key in sorted(request.FILES):
        for upload in request.FILES.getlist(key):
            digest.update(f"\x00{key}\x00{upload.name}\x00".encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()


def _carried_out(response: HttpResponse) -> bool:
    """The view made its change: Post/Redirect/Get, the project's answer to a successful form."""
    return 300 <= response.status_code < 400 and response.has_header("Location")


class SubmittedOnceMiddleware:
    """Runs a tokened POST's view at most once per token (see the module docstring).

    Placed after the session, authentication, two-factor and message middlewares: a post they turn
    away (sign in, verify the second factor) never reaches the view and consumes no token.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token, user_id = posted_token(request), request.user.pk
        if token is None or user_id is None:
            return self.get_response(request)
        fingerprint = content_fingerprint(request)
        with transaction.atomic():
            try:
                with transaction.atomic():  # waits here while another post of the same form runs
                    claim = SubmissionToken.objects.create(token=token, user_id=user_id)
            except IntegrityError:
                claim = None
            if claim is not None and fingerprint:
                earlier = self._same_content_sent(user_id, fingerprint)
                if earlier is not None:
                    transaction.set_rollback(True)
                    messages.info(request, SENT_AGAIN)
                    return HttpResponseRedirect(earlier.result_url, status=303)
            if claim is not None:
                response = self.get_response(request)
                if transaction.get_rollback():  # the view failed half-way: all of it is undone
                    return response
                if response.status_code >= 500:  # a server error: nothing of the view is kept
                    transaction.set_rollback(True)
                    return response
                try:
                    if _carried_out(response):
                        claim.result_url = response["Location"][:2000]
                        claim.fingerprint = fingerprint
                        claim.save(update_fields=["result_url", "fingerprint"])
                    else:
                        claim.delete()
                except DatabaseError:  # the view left the transaction aborted: undo, answer as it did
                    transaction.set_rollback(True)
                return response
        return self._already_sent(request, token)

    @staticmethod
    def _same_content_sent(user_id: int, fingerprint: str) -> SubmissionToken | None:
        """The latest post of the same content by the same person, carried out within the window.

        The advisory lock (held to the end of the transaction) puts two posts of the same content
        one after the other, so the second one sees the first's committed token."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"{user_id}:{fingerprint}"])
        return (
            SubmissionToken.objects.filter(
                user_id=user_id, fingerprint=fingerprint, created_at__gte=timezone.now() - RESEND_WINDOW
            )
            .exclude(result_url="")
            .order_by("-created_at")
            .first()
        )

    def _already_sent(self, request: HttpRequest, token: uuid.UUID) -> HttpResponse:
        first = SubmissionToken.objects.filter(token=token).first()
        # Another account's token (it cannot come from this person's page): the form again.
        if first is not None and first.user_id == request.user.pk and first.result_url:
            where = first.result_url
        else:
            where = request.get_full_path()
        messages.info(request, ALREADY_SENT)
        return HttpResponseRedirect(where, status=303)
