"""Check one rendering against the record its content must give, and shrink a failing one.

Shared by the property test (tests/test_renderings.py) and bench/quality.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from smmnews.extract.article import NotAnArticle
from smmnews.mirror.article_content import ArticleContent, expected_record
from smmnews.mirror.render import AXES, Rendering, render
from smmnews.record import build_record
from smmnews.serialize import record_dict

# Compared after whitespace normalisation: block boundaries are layout, not content.
_WHITESPACE_FIELDS = frozenset({"body"})
# Refusals are reported as this pseudo-field.
REFUSED = "refused"


def normalise(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


@dataclass(frozen=True)
class Outcome:
    rendering: Rendering
    record: dict[str, Any] | None
    wrong: dict[str, tuple[Any, Any]]  # field -> (got, expected)


def check(content: ArticleContent, seed: int,
          overrides: dict[str, str] | None = None) -> Outcome:
    rendering = render(content, seed, overrides)
    result = build_record(rendering.body, content.url, content.now,
                          encoding=rendering.header_encoding)
    want = expected_record(content)
    if isinstance(result, NotAnArticle):
        return Outcome(rendering, None, {REFUSED: (str(result), None)})
    record = record_dict(result)
    wrong = {}
    for name, value in want.items():
        got = record[name]
        if name in _WHITESPACE_FIELDS:
            got, value = normalise(got), normalise(value)
        if got != value:
            wrong[name] = (got, value)
    return Outcome(rendering, record, wrong)


def shrink(content: ArticleContent, seed: int) -> Outcome:
    """The failing rendering with as many axes as possible reset to their plainest value
    (greedy, one axis at a time) while some field stays wrong."""
    pinned: dict[str, str] = {}
    outcome = check(content, seed)
    if not outcome.wrong:
        return outcome
    for name, values in AXES.items():
        if outcome.rendering.axes.get(name) == values[0]:
            continue
        trial = check(content, seed, {**pinned, name: values[0]})
        if trial.wrong:
            pinned[name] = values[0]
            outcome = trial
    return outcome


def report(content: ArticleContent, seed: int) -> str:
    """What a failing property test prints: seed, wrong fields, changed axes, minimal page."""
    outcome = shrink(content, seed)
    changed = {k: v for k, v in outcome.rendering.axes.items()
               if k in AXES and v != AXES[k][0]}
    lines = [f"rendering seed {seed} of article {content.article_id} ({content.url})",
             f"replay: SMMNEWS_RENDER_SEED={seed} pytest tests/test_renderings.py",
             f"axes left after shrinking: {changed}"]
    for name, (got, want) in outcome.wrong.items():
        lines.append(f"  {name}:\n    got      {got!r}\n    expected {want!r}")
    lines.append("minimised page:\n" + outcome.rendering.html)
    return "\n".join(lines)
