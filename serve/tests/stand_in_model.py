"""A stand-in for Co-Instruct: ``chat(prompt, images, **generate_kwargs)`` like the real model,
recording every call, answering a canned text one word-token at a time through ``streamer`` and
honouring ``stopping_criteria`` and ``max_new_tokens`` the way ``generate`` does."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional


class WordTokenizer:
    """Token = a word with its leading space; ids index a growing vocabulary."""

    def __init__(self) -> None:
        self.vocab: List[str] = []
        self.ids: Dict[str, int] = {}

    def _id(self, piece: str) -> int:
        if piece not in self.ids:
            self.ids[piece] = len(self.vocab)
            self.vocab.append(piece)
        return self.ids[piece]

    def encode(self, text: str, add_special_tokens: bool = True) -> List[int]:
        pieces: List[str] = []
        for i, word in enumerate(text.split(" ")):
            pieces.append(word if i == 0 else " " + word)
        return [self._id(p) for p in pieces if p]

    def decode(self, ids, skip_special_tokens: bool = False) -> str:
        return "".join(self.vocab[i] for i in ids)


@dataclass
class ChatCall:
    prompt: str
    image_sizes: List[tuple]
    image_modes: List[str]
    corner_pixels: List[tuple]
    kwargs: Dict[str, Any] = field(default_factory=dict)


class StandInModel:
    def __init__(self, answer: str = " The second image has better quality, because it is sharper.") -> None:
        self.answer = answer
        self.tokenizer = WordTokenizer()
        self.calls: List[ChatCall] = []
        self.gate: Optional[threading.Event] = None  # when set to an Event, chat waits for it
        self.started = threading.Event()
        self.fail_with: Optional[Exception] = None
        self.streams_tokens = True
        self.pause_after: Optional[int] = None  # after this many tokens, wait until a stopping criterion fires
        self.tokens_emitted = 0
        self.accepts_hooks = True   # False: chat(prompt, images, max_new_tokens=..., ...) only
        self._lock = threading.Lock()

    def chat(self, prompt: str, images: list, **generate_kwargs) -> str:
        if not self.accepts_hooks:
            for k in ("streamer", "stopping_criteria"):
                if k in generate_kwargs:
                    raise TypeError(f"chat() got an unexpected keyword argument '{k}'")
        with self._lock:
            self.calls.append(ChatCall(prompt, [im.size for im in images], [im.mode for im in images],
                                       [im.getpixel((0, 0)) for im in images],
                                       {k: v for k, v in generate_kwargs.items()
                                        if k not in ("streamer", "stopping_criteria")}))
        self.started.set()
        if self.gate is not None:
            self.gate.wait(30)
        if self.fail_with is not None:
            raise self.fail_with
        streamer = generate_kwargs.get("streamer") if self.streams_tokens else None
        criteria = generate_kwargs.get("stopping_criteria") or []
        max_new = generate_kwargs.get("max_new_tokens", 512)
        prompt_ids = self.tokenizer.encode(prompt)
        if streamer is not None:
            streamer.put([prompt_ids])
        out: List[int] = []
        for tok in self.tokenizer.encode(self.answer)[:max_new]:
            out.append(tok)
            self.tokens_emitted += 1
            if streamer is not None:
                streamer.put([tok])
            if self.pause_after is not None and len(out) >= self.pause_after:
                for _ in range(3000):
                    if any(c([prompt_ids + out], None) for c in criteria):
                        break
                    time.sleep(0.01)
            if any(c([prompt_ids + out], None) for c in criteria):
                break
        if streamer is not None:
            streamer.end()
        return self.tokenizer.decode(out, skip_special_tokens=True)
