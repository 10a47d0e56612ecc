"""Messages for people, written in domain/ without depending on Flask.

N_() marks a Vietnamese sentence for extraction (`pybabel extract -k N_`); the view
translates it with gettext(message, **params) when it renders the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any


def N_(message: str) -> str:
    """Mark a message for translation; translated later, where the language is known."""
    return message


@dataclass(frozen=True)
class Problem:
    """Something wrong with an answer: the message to show and its placeholders."""

    message: str
    params: dict[str, Any] = field(default_factory=dict)


class Invalid(ValueError):
    """An answer that cannot be accepted; carries the message to show next to the field.

    field names the form field it is about, when the raiser knows it: the page then shows the
    message beside that field, and nothing has to recognise a field by its message's words.
    """

    def __init__(self, message: str, *, field: str = "", **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.problem = Problem(message, params)
        self.field = field
