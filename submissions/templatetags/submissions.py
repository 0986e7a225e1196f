"""``{% csrf_token %}``, extended: the CSRF input and the form's submission token (``submissions.guard``).

Loaded as a template builtin after Django's own (``TEMPLATES["OPTIONS"]["builtins"]``), so this tag
replaces ``django.template.defaulttags.csrf_token`` in every template: every form that posts carries a
token, whichever way its fields are drawn. Where there is no CSRF token (an e-mail, a PDF), nothing.
"""

import uuid
from typing import cast

from django import template
from django.template.base import Parser, Token
from django.template.context import Context
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import format_html
from django.utils.safestring import SafeString

from submissions.guard import FIELD

register = template.Library()


class CsrfAndSubmissionTokenNode(CsrfTokenNode):
    def render(self, context: Context) -> SafeString:
        csrf = cast(SafeString, super().render(context))
        if 'name="csrfmiddlewaretoken"' not in csrf:
            return csrf
        return csrf + format_html('<input type="hidden" name="{}" value="{}">', FIELD, uuid.uuid4())


@register.tag("csrf_token")
def csrf_token(parser: Parser, token: Token) -> CsrfAndSubmissionTokenNode:
    return CsrfAndSubmissionTokenNode()
