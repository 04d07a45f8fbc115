"""Loading q-future/co-instruct on a GPU, as its model card does (needs torch + transformers 4.36/4.37)."""
from __future__ import annotations

from typing import Callable

from .engine import CoInstructEngine


def load_engine(model_path: str = "q-future/co-instruct", device: str = "cuda:0") -> CoInstructEngine:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, StoppingCriteria, StoppingCriteriaList

    model = AutoModelForCausalLM.from_pretrained(
        model_path,
        trust_remote_code=True,
        torch_dtype=torch.float16,
        attn_implementation="eager",
        device_map={"": device},
    )
    model.eval()
    tokenizer = getattr(model, "tokenizer", None)
    if tokenizer is None:
        # Only used to stream text and count tokens; model.chat tokenizes the prompt itself.
        tokenizer = AutoTokenizer.from_pretrained(model_path, use_fast=False)

    class _Check(StoppingCriteria):
        def __init__(self, check: Callable[[], bool]) -> None:
            self.check = check

        def __call__(self, input_ids, scores, **kwargs) -> bool:  # type: ignore[override]
            return bool(self.check())

    return CoInstructEngine(model, tokenizer=tokenizer,
                            criteria_factory=lambda check: StoppingCriteriaList([_Check(check)]))
