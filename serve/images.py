"""Image parts -> RGB PIL images: base64 data URIs always, http(s) URLs only when allowed."""
from __future__ import annotations

import base64
import binascii
import io
import re
import urllib.error
import urllib.request
import warnings
from dataclasses import dataclass
from typing import List

from PIL import Image

from .errors import bad_request
from .prompt import ImageRef

_DATA_URI = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(?:;[^;,]*)*?),(?P<data>.*)$", re.DOTALL)


@dataclass
class ImagePolicy:
    allow_remote: bool = False
    max_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 64 * 1024 * 1024
    fetch_timeout: float = 15.0


def _decode_bytes(raw: bytes, ref: ImageRef, policy: ImagePolicy) -> Image.Image:
    if len(raw) > policy.max_bytes:
        raise bad_request(f"{ref.param}: image is {len(raw)} bytes, more than the limit {policy.max_bytes}",
                          ref.param, "image_too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(raw))
            if img.width * img.height > policy.max_pixels:
                raise bad_request(f"{ref.param}: image is {img.width}x{img.height}, more pixels than the limit "
                                  f"{policy.max_pixels}", ref.param, "image_too_large")
            img.load()
            return img.convert("RGB")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise bad_request(f"{ref.param}: could not decode the image ({exc.__class__.__name__}: {exc})",
                          ref.param, "invalid_image") from None


def _from_data_uri(ref: ImageRef, policy: ImagePolicy) -> Image.Image:
    m = _DATA_URI.match(ref.url)
    if not m:
        raise bad_request(f"{ref.param}: malformed data URI", ref.param, "invalid_image")
    if ";base64" not in (m.group("params") or "").lower():
        raise bad_request(f"{ref.param}: data URIs must be base64-encoded (data:image/png;base64,...)",
                          ref.param, "invalid_image")
    data = re.sub(r"\s+", "", m.group("data"))
    if len(data) * 3 // 4 > policy.max_bytes + 3:
        raise bad_request(f"{ref.param}: image is larger than the limit {policy.max_bytes} bytes",
                          ref.param, "image_too_large")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise bad_request(f"{ref.param}: the data URI is not valid base64", ref.param, "invalid_image") from None
    return _decode_bytes(raw, ref, policy)


def _from_url(ref: ImageRef, policy: ImagePolicy) -> Image.Image:
    if not policy.allow_remote:
        raise bad_request(f"{ref.param}: image URLs are disabled on this server; send a base64 data URI, or start "
                          "the server with --allow-remote-images", ref.param, "remote_images_disabled")
    req = urllib.request.Request(ref.url, headers={"User-Agent": "coinstruct-serve"})
    try:
        with urllib.request.urlopen(req, timeout=policy.fetch_timeout) as resp:  # noqa: S310 (scheme checked)
            raw = resp.read(policy.max_bytes + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise bad_request(f"{ref.param}: could not fetch the image URL ({exc})", ref.param, "image_fetch_failed") from None
    return _decode_bytes(raw, ref, policy)


def load_image(ref: ImageRef, policy: ImagePolicy) -> Image.Image:
    scheme = ref.url.split(":", 1)[0].lower()
    if scheme == "data":
        return _from_data_uri(ref, policy)
    if scheme in ("http", "https"):
        return _from_url(ref, policy)
    raise bad_request(f"{ref.param}: unsupported image URL scheme {scheme!r} (use a data URI)", ref.param,
                      "invalid_image")


def load_images(refs: List[ImageRef], policy: ImagePolicy) -> List[Image.Image]:
    return [load_image(r, policy) for r in refs]
