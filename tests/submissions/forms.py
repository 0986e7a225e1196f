"""Reading a page's forms as a browser would: which fields a form posts, with the values it shows."""

from __future__ import annotations

from html.parser import HTMLParser


class PostForms(HTMLParser):
    """Every ``<form method="post">`` of a page: its ``action`` (``None`` when it posts to the page
    itself) and the values a person would send by taking what is offered: text and hidden inputs,
    checked boxes, the checked radio button or else the first one, the selected option unless it is
    the blank one, else the first option with a value; text areas."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str | None, dict[str, str | list[str]]]] = []
        self._fields: dict[str, str | list[str]] | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None

    def _put(self, name: str, value: str, *, multiple: bool = False) -> None:
        assert self._fields is not None
        if multiple:
            listed = self._fields.setdefault(name, [])
            assert isinstance(listed, list)
            listed.append(value)
        else:
            self._fields[name] = value

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._fields = {}
                self.forms.append((a.get("action"), self._fields))
            return
        if self._fields is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind == "radio" and ("checked" in a or name not in self._fields):
                self._put(name, a.get("value", "on"))
            elif kind == "checkbox" and "checked" in a:
                self._put(name, a.get("value", "on"), multiple=True)
            if kind in ("checkbox", "radio"):
                return
            self._put(name, a.get("value", ""))
        elif tag == "select" and name:
            self._select, self._select_first = name, None
            self._multiple = "multiple" in a
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if "selected" in a and (value or self._multiple):
                self._put(self._select, value, multiple=self._multiple)
            elif value and self._select_first is None:
                self._select_first = value
        elif tag == "textarea" and name:
            self._textarea = name
            self._put(name, "")

    def handle_data(self, data: str) -> None:
        if self._textarea and self._fields is not None:
            text = str(self._fields[self._textarea]) + data
            self._fields[self._textarea] = text.removeprefix("\n")  # as browsers read a text area

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._fields = None
        elif tag == "select" and self._select:
            if self._fields is not None and self._select not in self._fields and not self._multiple:
                self._fields[self._select] = self._select_first or ""
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def post_forms(html: str) -> list[tuple[str | None, dict[str, str | list[str]]]]:
    parser = PostForms()
    parser.feed(html)
    return parser.forms


def form_posting_to(html: str, action: str | None) -> dict[str, str | list[str]]:
    """The fields of the page's form posting to ``action`` (``None``: to the page itself)."""
    for found, fields in post_forms(html):
        if found == action:
            return dict(fields)
    raise AssertionError(f"no form posting to {action!r}; forms post to {[a for a, _ in post_forms(html)]}")
