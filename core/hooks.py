"""Questions a lower app asks and apps above it answer, so that it never imports them.

The lower app declares a Hook where it needs the answer (a study's page asks which case-study
sites are about the study); an app above adds its answer in its AppConfig.ready(); asking runs
every answer, in the order they were added. With no app above installed, nobody answers and the
page goes without.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Part:
    """A piece of a page that an app above gives: its template, rendered inside the page (with
    the page's context and this one on top) by `{% render_part %}` of core's template tags."""

    template: str
    context: dict = field(default_factory=dict)


class Hook:
    def __init__(self, question: str):
        self.question = question
        self._answers: list[Callable] = []

    def __repr__(self):
        return f"<Hook: {self.question}>"

    def answer(self, function: Callable) -> Callable:
        """Add an answer; usable as a decorator. Adding the same function twice adds it once."""
        if function not in self._answers:
            self._answers.append(function)
        return function

    def ask(self, *args, **kwargs) -> list:
        """Every answer that is not None."""
        answers = (answer(*args, **kwargs) for answer in self._answers)
        return [given for given in answers if given is not None]

    def first(self, *args, **kwargs):
        """The first answer that is not None, or None; the answers after it are not run."""
        for answer in self._answers:
            given = answer(*args, **kwargs)
            if given is not None:
                return given
        return None
