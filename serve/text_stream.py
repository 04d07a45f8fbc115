"""Turning generated tokens into text deltas, and cutting the text at stop sequences.

``TokenStreamer`` has the ``put``/``end`` interface that transformers' ``generate(streamer=...)`` calls:
the first ``put`` carries the prompt (skipped), later ones the new token ids.
``StopCutter`` receives text deltas and releases only text that cannot be the start of a stop
sequence, so a streamed answer never shows a stop sequence or anything after it.
"""
from __future__ import annotations

from typing import Callable, List, Optional, Tuple


def _flatten(value) -> List[int]:
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, int):
        return [value]
    out: List[int] = []
    for v in value:
        out.extend(_flatten(v))
    return out


class TokenStreamer:
    def __init__(self, tokenizer, on_text: Callable[[str], None]) -> None:
        self.tokenizer = tokenizer
        self.on_text = on_text
        self.ids: List[int] = []
        self._seen_prompt = False
        self._emitted = 0

    def put(self, value) -> None:
        if not self._seen_prompt:
            self._seen_prompt = True
            return
        self.ids.extend(_flatten(value))
        text = self.tokenizer.decode(self.ids, skip_special_tokens=True)
        if text.endswith("\ufffd"):  # a multi-byte character is not complete yet
            return
        self._emit(text)

    def end(self) -> None:
        self._emit(self.tokenizer.decode(self.ids, skip_special_tokens=True))

    def _emit(self, text: str) -> None:
        if len(text) > self._emitted:
            delta = text[self._emitted:]
            self._emitted = len(text)
            self.on_text(delta)


class StopCutter:
    """Feed text deltas; get back the part safe to show. Leading and trailing whitespace is trimmed."""

    def __init__(self, stops: List[str]) -> None:
        self.stops = [s for s in stops if s]
        self.text = ""        # everything received (after left-trim)
        self.released = 0     # how much of self.text has been handed out
        self.stopped = False

    def feed(self, delta: str) -> str:
        if self.stopped:
            return ""
        if not self.text:
            delta = delta.lstrip()
        self.text += delta
        cut = self._first_stop()
        if cut is not None:
            self.stopped = True
            self.text = self.text[:cut].rstrip()
            return self._release(len(self.text))
        safe = len(self.text) - self._held_back()
        while safe > self.released and self.text[safe - 1].isspace():
            safe -= 1  # whitespace before a held-back part may end up trailing
        return self._release(safe)

    def finish(self) -> str:
        if not self.stopped:
            self.text = self.text.rstrip()
        return self._release(len(self.text))

    def _release(self, upto: int) -> str:
        if upto <= self.released:
            return ""
        out = self.text[self.released:upto]
        self.released = upto
        return out

    def _first_stop(self) -> Optional[int]:
        found = [i for i in (self.text.find(s, max(0, self.released - len(s))) for s in self.stops) if i >= 0]
        return min(found) if found else None

    def _held_back(self) -> int:
        """Characters at the end that may start a stop sequence."""
        text = self.text
        hold = 0
        for s in self.stops:
            for k in range(min(len(s) - 1, len(text)), 0, -1):
                if text.endswith(s[:k]):
                    hold = max(hold, k)
                    break
        return hold


def cut_text(text: str, stops: List[str]) -> Tuple[str, bool]:
    """Whole-text form: (answer trimmed and cut at the first stop sequence, whether a stop was hit)."""
    c = StopCutter(stops)
    out = c.feed(text) + c.finish()
    return out, c.stopped
