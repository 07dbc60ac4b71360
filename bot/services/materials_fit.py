"""Text fitting rules for print layouts: a text goes into a box of fixed size by wrapping at
spaces (and after hyphens) and, if it is still too tall, by shrinking the font in small steps
down to a minimum that stays legible in print. What does not fit at the minimum is an error
that says which text and by about how many characters to shorten it: a layout never
overflows its box and never cuts a word in the middle.

Plain code: the renderer passes a `measure(text, size) -> width in mm` of its own font.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

PT_TO_MM = 25.4 / 72
Measure = Callable[[str, float], float]
_BREAKS = re.compile(r"(?<=-)(?=\w)")  # a line may break after a hyphen: Салтыков-/Щедрин


@dataclass(frozen=True)
class Box:
    width: float  # mm
    height: float  # mm
    max_size: float  # pt
    min_size: float  # pt
    line_spacing: float = 1.2  # line height as a multiple of the font size
    paragraph_gap: float = 0.35  # extra space between paragraphs, in lines
    indent: float = 0.0  # mm of hanging indent (room for a bullet)


@dataclass(frozen=True)
class Line:
    text: str
    first: bool  # the first line of its paragraph (where a bullet goes)
    y: float  # mm from the top of the box to the line's top


@dataclass(frozen=True)
class Fitted:
    size: float  # pt
    lines: tuple[Line, ...]
    line_height: float  # mm

    @property
    def height(self) -> float:
        return self.lines[-1].y + self.line_height if self.lines else 0.0


class DoesNotFit(Exception):
    """The text is too long for its box even at the smallest size. `excess` is about how
    many characters would have to go."""

    def __init__(self, excess: int) -> None:
        super().__init__(f"too long by about {excess} characters")
        self.excess = excess


def _tokens(paragraph: str) -> list[str]:
    """Words with the hyphenated ones split after their hyphens; a leading space marks
    where a space was."""
    tokens: list[str] = []
    for index, word in enumerate(paragraph.split()):
        parts = _BREAKS.split(word)
        tokens.append((" " if index else "") + parts[0])
        tokens.extend(parts[1:])
    return tokens


def wrap(paragraph: str, width: float, size: float, measure: Measure) -> list[str] | None:
    """Greedy wrapping; None when one unbreakable piece is wider than the line."""
    lines: list[str] = []
    current = ""
    for token in _tokens(paragraph):
        candidate = current + token
        if measure(candidate, size) <= width:
            current = candidate
            continue
        piece = token.lstrip()
        if measure(piece, size) > width:
            return None
        if current:
            lines.append(current)
        current = piece
    if current:
        lines.append(current)
    return lines


def _layout(paragraphs: Sequence[str], box: Box, size: float, measure: Measure) -> Fitted | None:
    line_height = size * PT_TO_MM * box.line_spacing
    gap = line_height * box.paragraph_gap
    lines: list[Line] = []
    y = 0.0
    for number, paragraph in enumerate(paragraphs):
        wrapped = wrap(paragraph, box.width - box.indent, size, measure)
        if wrapped is None:
            return None
        if number:
            y += gap
        for index, text in enumerate(wrapped):
            if y + line_height > box.height + 1e-6:
                return None
            lines.append(Line(text, index == 0, y))
            y += line_height
    return Fitted(size, tuple(lines), line_height)


def fit(paragraphs: Sequence[str], box: Box, measure: Measure, step: float = 0.5) -> Fitted:
    """The largest size from max_size down to min_size at which every paragraph fits."""
    size = box.max_size
    while size >= box.min_size - 1e-9:
        fitted = _layout(paragraphs, box, size, measure)
        if fitted is not None:
            return fitted
        size = round(size - step, 2)
    raise DoesNotFit(_excess(paragraphs, box, measure))


def _excess(paragraphs: Sequence[str], box: Box, measure: Measure) -> int:
    """How many characters are over: the text minus the longest run of whole words, from
    the start, that does fit at the minimum size (a binary search over the words)."""
    words = [(number, word) for number, p in enumerate(paragraphs) for word in p.split()]
    total = sum(len(p) for p in paragraphs)

    def fits(count: int) -> bool:
        kept: dict[int, list[str]] = {}
        for number, word in words[:count]:
            kept.setdefault(number, []).append(word)
        return (
            _layout([" ".join(k) for k in kept.values()], box, box.min_size, measure) is not None
        )

    low, high = 0, len(words)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    kept_chars = sum(len(word) + 1 for _, word in words[:low])
    return max(1, total - kept_chars)
