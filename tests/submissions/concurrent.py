"""Posting one rendered form several times at once, as a double click or a retried request does."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from http.cookies import SimpleCookie

from django.db import connection
from django.http import HttpResponse
from django.test import Client

from submissions.guard import FIELD

TOKEN = re.compile(rf'<input type="hidden" name="{FIELD}" value="([0-9a-f-]{{36}})">')


def form_token(page: HttpResponse, *, index: int = 0) -> str:
    """The submission token of the page's ``index``-th form that posts (the base layout's own forms
    — switching organisation, signing out — come first or last: callers pick by ``action``)."""
    tokens = TOKEN.findall(page.content.decode())
    assert tokens, "the page has no form carrying a submission token"
    return tokens[index]


def token_for_action(page: HttpResponse, action: str | None) -> str:
    """The submission token of the form posting to ``action`` (``None``: the form without an action,
    which posts to the page itself)."""
    html = page.content.decode()
    for form in re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.S):
        opening = form[: form.index(">") + 1]
        if 'method="post"' not in opening.lower():
            continue
        found = re.search(r'action="([^"]*)"', opening)
        if (found.group(1) if found else None) == action:
            match = TOKEN.search(form)
            assert match, f"the form posting to {action!r} carries no submission token"
            return match.group(1)
    raise AssertionError(f"no form posting to {action!r} on the page")


def post_at_once(
    client: Client, url: str, data: Callable[[], dict[str, object]], *, times: int = 5
) -> list[HttpResponse | Exception]:
    """``times`` posts of ``data()`` to ``url`` from one browser session (``client``'s cookies), sent
    together (a barrier), each thread on its own database connection; the answers, in no order."""
    barrier = threading.Barrier(times)
    answers: list[HttpResponse | Exception] = []

    def post() -> None:
        browser = Client()
        browser.cookies = SimpleCookie(client.cookies)
        try:
            body = data()
            barrier.wait(timeout=30)
            answers.append(browser.post(url, body))
        except Exception as error:  # reported by the caller's assertion
            answers.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers
