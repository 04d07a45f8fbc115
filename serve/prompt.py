"""OpenAI chat messages -> Co-Instruct's prompt string and its images, in order.

Co-Instruct (mPLUG-Owl2) is asked with ``model.chat(prompt, images)`` where each ``<|image|>`` in the
prompt takes the next image of the list:

* one image:      ``USER: The image: <|image|>{q} ASSISTANT:``
* several images: ``USER: The first image: <|image|>\\nThe second image: <|image|>{q} ASSISTANT:``
* earlier turns:  ``USER: ...{q1} ASSISTANT:{a1}</s>USER:{q2} ASSISTANT:``

A user message's content parts interleave text and images. When the text just before an image ends
with an ordinal label ("The first image:", "The image:", "The input image:", ...), that label is the
prompt's own; otherwise the label is generated from the image's position in its message.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from .errors import bad_request

IMAGE_TOKEN = "<|image|>"
END_OF_TURN = "</s>"

ORDINAL_WORDS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
                 "ninth", "tenth"]

# An ordinal label at the very end of a text part (case-insensitive).
_LABEL_AT_END = re.compile(
    r"(the\s+(?:input\s+)?image\s*:|the\s+(?:" + "|".join(ORDINAL_WORDS) + r")\s+image\s*:)\s*$",
    re.IGNORECASE,
)


def ordinal_label(position: int, count: int) -> str:
    """The label Co-Instruct was trained with: "The image:" alone, else "The first image:", ..."""
    if count == 1:
        return "The image:"
    if position < len(ORDINAL_WORDS):
        return f"The {ORDINAL_WORDS[position]} image:"
    return f"Image {position + 1}:"


@dataclass
class ImageRef:
    url: str
    param: str  # where it came from, e.g. "messages[0].content[1].image_url"


@dataclass
class MappedPrompt:
    prompt: str
    images: List[ImageRef] = field(default_factory=list)


@dataclass
class _Segment:
    kind: str  # "text" | "image"
    text: str = ""
    image: Optional[ImageRef] = None


def _segments(content, where: str) -> List[_Segment]:
    if isinstance(content, str):
        return [_Segment("text", text=content)]
    if content is None:
        return []
    if not isinstance(content, list):
        raise bad_request(f"{where}.content must be a string or a list of content parts", f"{where}.content")
    out: List[_Segment] = []
    for i, part in enumerate(content):
        pwhere = f"{where}.content[{i}]"
        if isinstance(part, str):
            out.append(_Segment("text", text=part))
            continue
        if not isinstance(part, dict):
            raise bad_request(f"{pwhere} must be an object", pwhere)
        ptype = part.get("type")
        if ptype == "text":
            text = part.get("text")
            if not isinstance(text, str):
                raise bad_request(f"{pwhere}.text must be a string", f"{pwhere}.text")
            out.append(_Segment("text", text=text))
        elif ptype == "image_url":
            ref = part.get("image_url")
            url = ref.get("url") if isinstance(ref, dict) else ref
            if not isinstance(url, str) or not url:
                raise bad_request(f"{pwhere}.image_url.url must be a non-empty string", f"{pwhere}.image_url")
            out.append(_Segment("image", image=ImageRef(url, f"{pwhere}.image_url")))
        else:
            raise bad_request(f"{pwhere}.type {ptype!r} is not supported (use \"text\" or \"image_url\")",
                              f"{pwhere}.type")
    return out


def _text_of(content, where: str) -> str:
    segs = _segments(content, where)
    if any(s.kind == "image" for s in segs):
        raise bad_request(f"{where}: images are only accepted in user messages", where)
    return "".join(s.text for s in segs)


def _split_label(text: str) -> Tuple[str, Optional[str]]:
    """("Compare these. The first image:") -> ("Compare these.", "The first image:")."""
    m = _LABEL_AT_END.search(text)
    if not m:
        return text.strip(), None
    label = re.sub(r"\s+", " ", m.group(1)).strip()
    label = label[0].upper() + label[1:]
    label = re.sub(r"\s*:$", ":", label)
    return text[: m.start()].strip(), label


def user_turn_body(segments: List[_Segment]) -> Tuple[str, List[ImageRef]]:
    """One user message -> "The first image: <|image|>\\nThe second image: <|image|>{q}" and its images."""
    count = sum(1 for s in segments if s.kind == "image")
    pieces: List[str] = []
    images: List[ImageRef] = []
    pending: List[str] = []
    for seg in segments:
        if seg.kind == "text":
            pending.append(seg.text)
            continue
        before, label = _split_label(" ".join(t.strip() for t in pending if t.strip()))
        pending = []
        if label is None:
            label = ordinal_label(len(images), count)
        pieces.append(f"{before} {label} {IMAGE_TOKEN}" if before else f"{label} {IMAGE_TOKEN}")
        assert seg.image is not None
        images.append(seg.image)
    question = " ".join(t.strip() for t in pending if t.strip())
    return "\n".join(pieces) + question, images


def map_messages(messages) -> MappedPrompt:
    """Map a Chat Completions ``messages`` array to Co-Instruct's prompt (see module docstring)."""
    if not isinstance(messages, list) or not messages:
        raise bad_request("messages must be a non-empty array", "messages")
    system_texts: List[str] = []
    turns: List[Tuple[str, str]] = []  # ("user"|"assistant", rendered body)
    images: List[ImageRef] = []
    for i, msg in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(msg, dict):
            raise bad_request(f"{where} must be an object", where)
        role = msg.get("role")
        content = msg.get("content")
        if role in ("system", "developer"):
            if turns:
                raise bad_request(f"{where}: a system message must come before the conversation", f"{where}.role")
            text = _text_of(content, where).strip()
            if text:
                system_texts.append(text)
        elif role == "user":
            body, imgs = user_turn_body(_segments(content, where))
            if turns and turns[-1][0] == "user":
                raise bad_request(f"{where}: two user messages in a row; merge them into one", f"{where}.role")
            turns.append(("user", body))
            images.extend(imgs)
        elif role == "assistant":
            if not turns or turns[-1][0] != "user":
                raise bad_request(f"{where}: an assistant message must follow a user message", f"{where}.role")
            turns.append(("assistant", _text_of(content, where)))
        else:
            raise bad_request(f"{where}.role {role!r} is not supported (use system, user or assistant)",
                              f"{where}.role")
    if not turns or turns[-1][0] != "user":
        raise bad_request("the last message must be a user message", "messages")

    out: List[str] = []
    if system_texts:
        out.append(" ".join(system_texts) + " ")
    first_user = True
    for role, body in turns:
        if role == "user":
            out.append(("USER: " if first_user else "USER:") + body + " ASSISTANT:")
            first_user = False
        else:
            out.append(body + END_OF_TURN)
    return MappedPrompt("".join(out), images)
