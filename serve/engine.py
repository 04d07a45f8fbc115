"""One generation through ``model.chat(prompt, images, **generate_kwargs)``, streamed when possible.

When a tokenizer is known, the engine passes ``streamer=`` (token ids -> text deltas) and
``stopping_criteria=`` (stop sequence seen, or the client went away) through ``model.chat`` to
``generate``; otherwise the whole answer arrives at once when ``model.chat`` returns.
"""
from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Any, Callable, List, Optional

from .params import GenerationParams
from .prompt import IMAGE_TOKEN
from .text_stream import StopCutter, TokenStreamer


class GenerationCancelled(Exception):
    """The client left before or during generation."""


@dataclass
class GenerationResult:
    text: str
    finish_reason: str               # "stop" | "length"
    prompt_tokens: Optional[int]     # text tokens of the prompt (visual tokens not counted)
    completion_tokens: Optional[int]


def default_seeder(seed: int) -> None:
    random.seed(seed)
    try:
        import torch  # type: ignore
    except ImportError:
        return
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


def plain_criteria(check: Callable[[], bool]) -> List[Callable[..., bool]]:
    return [lambda *args, **kwargs: check()]


class CoInstructEngine:
    def __init__(self, model: Any, *, tokenizer: Any = None,
                 seeder: Callable[[int], None] = default_seeder,
                 criteria_factory: Callable[[Callable[[], bool]], Any] = plain_criteria) -> None:
        self.model = model
        self.tokenizer = tokenizer if tokenizer is not None else getattr(model, "tokenizer", None)
        self.seeder = seeder
        self.criteria_factory = criteria_factory
        self.hooks_supported = True

    def _count(self, text: str) -> Optional[int]:
        if self.tokenizer is None:
            return None
        try:
            return len(self.tokenizer.encode(text, add_special_tokens=False))
        except TypeError:
            return len(self.tokenizer.encode(text))

    def generate(self, prompt: str, images: List[Any], params: GenerationParams, *,
                 on_text: Optional[Callable[[str], None]] = None,
                 cancelled: Optional[threading.Event] = None) -> GenerationResult:
        is_cancelled = (lambda: cancelled.is_set()) if cancelled is not None else (lambda: False)
        if is_cancelled():
            raise GenerationCancelled()
        if params.seed is not None:
            self.seeder(params.seed)

        cutter = StopCutter(params.stop)

        def deliver(delta: str) -> None:
            out = cutter.feed(delta)
            if out and on_text is not None:
                on_text(out)

        kwargs = params.generate_kwargs()
        streamer: Optional[TokenStreamer] = None
        if self.tokenizer is not None and self.hooks_supported:
            streamer = TokenStreamer(self.tokenizer, deliver)
            kwargs["streamer"] = streamer
            kwargs["stopping_criteria"] = self.criteria_factory(lambda: cutter.stopped or is_cancelled())

        try:
            raw = self.model.chat(prompt, images, **kwargs)
        except TypeError as exc:
            # A model.chat that does not pass streamer/stopping_criteria on to generate: answer whole.
            if streamer is None or "unexpected keyword argument" not in str(exc) or streamer.ids:
                raise
            self.hooks_supported = False
            streamer = None
            raw = self.model.chat(prompt, images, **params.generate_kwargs())
        if isinstance(raw, (list, tuple)):
            raw = raw[0] if raw else ""
        raw = "" if raw is None else str(raw)
        if is_cancelled():
            raise GenerationCancelled()

        if not cutter.stopped:
            # model.chat's return value is the authority; deliver what the streamer did not.
            full = raw.lstrip()
            seen = cutter.text
            if full.startswith(seen) and len(full) > len(seen):
                deliver(full[len(seen):])
            elif not seen:
                deliver(full)
        tail = cutter.finish()
        if tail and on_text is not None:
            on_text(tail)

        completion_tokens = len(streamer.ids) if streamer is not None and streamer.ids else self._count(cutter.text)
        if cutter.stopped:
            finish = "stop"
        elif completion_tokens is not None and completion_tokens >= params.max_new_tokens:
            finish = "length"
        else:
            finish = "stop"
        return GenerationResult(cutter.text, finish, self._count(prompt.replace(IMAGE_TOKEN, "")), completion_tokens)
