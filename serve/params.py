"""Chat Completions sampling fields -> validated generation parameters for ``model.chat``."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from .errors import bad_request


@dataclass
class GenerationParams:
    max_new_tokens: int
    temperature: float = 0.0      # 0 = greedy (the model card's way of asking); > 0 = sampling
    top_p: Optional[float] = None
    stop: List[str] = field(default_factory=list)
    seed: Optional[int] = None

    def generate_kwargs(self) -> Dict[str, Any]:
        """The keyword arguments ``model.chat`` passes on to ``generate``."""
        kw: Dict[str, Any] = {"max_new_tokens": self.max_new_tokens}
        if self.temperature > 0:
            kw["do_sample"] = True
            kw["temperature"] = self.temperature
            if self.top_p is not None:
                kw["top_p"] = self.top_p
        else:
            kw["do_sample"] = False
        return kw


def _number(body: dict, name: str, lo: float, hi: float, *, lo_open: bool = False) -> Optional[float]:
    v = body.get(name)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise bad_request(f"{name} must be a number", name)
    if v > hi or v < lo or (lo_open and v == lo):
        bound = f"({lo}, {hi}]" if lo_open else f"[{lo}, {hi}]"
        raise bad_request(f"{name} must be in {bound}, got {v}", name)
    return float(v)


def parse_params(body: dict, *, default_max_tokens: int, max_tokens_limit: int) -> GenerationParams:
    temperature = _number(body, "temperature", 0.0, 2.0)
    top_p = _number(body, "top_p", 0.0, 1.0, lo_open=True)

    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    if max_tokens is None:
        max_tokens = default_max_tokens
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        raise bad_request("max_tokens must be a positive integer", "max_tokens")
    if max_tokens > max_tokens_limit:
        raise bad_request(f"max_tokens {max_tokens} is more than this server allows ({max_tokens_limit})",
                          "max_tokens")

    stop = body.get("stop")
    if stop is None:
        stops: List[str] = []
    elif isinstance(stop, str):
        stops = [stop] if stop else []
    elif isinstance(stop, list) and all(isinstance(s, str) for s in stop):
        stops = [s for s in stop if s]
        if len(stop) > 4:
            raise bad_request("stop takes at most 4 sequences", "stop")
    else:
        raise bad_request("stop must be a string or an array of strings", "stop")

    seed = body.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise bad_request("seed must be an integer", "seed")

    n = body.get("n", 1)
    if n != 1:
        raise bad_request("n must be 1 (one generation per request on this server)", "n")

    return GenerationParams(max_new_tokens=max_tokens, temperature=temperature or 0.0, top_p=top_p,
                            stop=stops, seed=seed)
