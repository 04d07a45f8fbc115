"""The HTTP surface: ``POST /v1/chat/completions`` (JSON or SSE), ``GET /v1/models``, ``GET /health``."""
from __future__ import annotations

import asyncio
import hmac
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, List, Optional

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from .engine import CoInstructEngine, GenerationCancelled, GenerationResult
from .errors import ApiError, bad_request
from .generation_queue import GenerationQueue, QueueFull
from .images import ImagePolicy, load_images
from .params import parse_params
from .prompt import map_messages


@dataclass
class ServerConfig:
    model_name: str = "q-future/co-instruct"
    aliases: List[str] = field(default_factory=lambda: ["co-instruct"])
    api_key: Optional[str] = None
    max_images: int = 4
    max_waiting: int = 8
    default_max_tokens: int = 512
    max_tokens_limit: int = 2048
    max_body_bytes: int = 64 * 1024 * 1024
    images: ImagePolicy = field(default_factory=ImagePolicy)


def _error_response(err: ApiError) -> JSONResponse:
    return JSONResponse(err.body(), status_code=err.status, headers=err.headers)


def _sse(obj: Any) -> bytes:
    return f"data: {json.dumps(obj, ensure_ascii=False)}\n\n".encode("utf-8")


def create_app(engine: CoInstructEngine, config: Optional[ServerConfig] = None) -> FastAPI:
    cfg = config or ServerConfig()
    queue = GenerationQueue(max_waiting=cfg.max_waiting)
    created = int(time.time())
    app = FastAPI(title="Co-Instruct (OpenAI-compatible)", docs_url=None, redoc_url=None)
    app.state.queue = queue
    app.state.engine = engine
    app.state.abandoned = 0  # requests whose client left before the answer was complete

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return _error_response(exc)

    @app.on_event("shutdown")
    async def _shutdown() -> None:
        queue.shutdown()

    def check_key(request: Request) -> None:
        if not cfg.api_key:
            return
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), cfg.api_key.encode()):
            raise ApiError(401, "missing or wrong API key (send Authorization: Bearer <key>)",
                           code="invalid_api_key", headers={"WWW-Authenticate": "Bearer"})

    @app.get("/health")
    @app.get("/v1/health")  # so "{base URL}/health" works for clients holding ".../v1"
    async def health() -> dict:
        return {"status": "ok", "model": cfg.model_name, "queue": queue.stats(), "abandoned": app.state.abandoned}

    @app.get("/v1/models")
    async def models(request: Request) -> dict:
        check_key(request)
        return {"object": "list", "data": [
            {"id": cfg.model_name, "object": "model", "created": created, "owned_by": "q-future",
             "max_images": cfg.max_images}]}

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request):
        check_key(request)
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > cfg.max_body_bytes:
            raise ApiError(413, f"request body is larger than {cfg.max_body_bytes} bytes", code="request_too_large")
        try:
            body = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            raise bad_request("the request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise bad_request("the request body must be a JSON object")

        model = body.get("model")
        if model is not None and model not in [cfg.model_name, *cfg.aliases]:
            raise ApiError(404, f"model {model!r} is not served here (this server serves {cfg.model_name!r})",
                           param="model", code="model_not_found")
        mapped = map_messages(body.get("messages"))
        if not mapped.images:
            raise bad_request("no image in the request: Co-Instruct answers about 1 to "
                              f"{cfg.max_images} images (send image_url parts)", "messages", "no_image")
        if len(mapped.images) > cfg.max_images:
            raise bad_request(f"too many images: {len(mapped.images)} (this server takes at most {cfg.max_images})",
                              "messages", "too_many_images")
        params = parse_params(body, default_max_tokens=cfg.default_max_tokens, max_tokens_limit=cfg.max_tokens_limit)
        stream = body.get("stream", False)
        if not isinstance(stream, bool):
            raise bad_request("stream must be a boolean", "stream")
        stream_options = body.get("stream_options") or {}
        include_usage = bool(isinstance(stream_options, dict) and stream_options.get("include_usage"))

        try:
            queue.check_room()
        except QueueFull as full:
            raise _busy(full) from None
        images = await asyncio.get_running_loop().run_in_executor(None, load_images, mapped.images, cfg.images)
        response_model = model or cfg.model_name
        cid = "chatcmpl-" + uuid.uuid4().hex
        now = int(time.time())
        cancelled = threading.Event()

        if not stream:
            try:
                fut = queue.submit(lambda: engine.generate(mapped.prompt, images, params, cancelled=cancelled))
            except QueueFull as full:
                raise _busy(full) from None
            try:
                while True:  # watch for the client leaving: its generation is then stopped
                    done, _ = await asyncio.wait({fut}, timeout=0.5)
                    if done:
                        break
                    if await request.is_disconnected():
                        cancelled.set()
                        app.state.abandoned += 1
                        break
                result: GenerationResult = await fut
            except asyncio.CancelledError:
                cancelled.set()
                raise
            except GenerationCancelled:
                raise ApiError(499, "the request was cancelled") from None
            except Exception as exc:
                raise ApiError(500, f"generation failed: {exc.__class__.__name__}: {exc}") from None
            return {"id": cid, "object": "chat.completion", "created": now, "model": response_model,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": result.text},
                                 "finish_reason": result.finish_reason, "logprobs": None}],
                    "usage": _usage(result)}

        loop = asyncio.get_running_loop()
        events: "asyncio.Queue[tuple]" = asyncio.Queue()

        def emit(kind: str, value: Any) -> None:
            loop.call_soon_threadsafe(events.put_nowait, (kind, value))

        def job() -> None:
            try:
                result = engine.generate(mapped.prompt, images, params,
                                         on_text=lambda t: emit("text", t), cancelled=cancelled)
                emit("done", result)
            except GenerationCancelled:
                emit("cancelled", None)
            except Exception as exc:  # reported in-band: the HTTP status is already sent
                emit("error", exc)

        try:
            queue.submit(job)
        except QueueFull as full:
            raise _busy(full) from None

        def chunk(delta: dict, finish: Optional[str] = None) -> dict:
            return {"id": cid, "object": "chat.completion.chunk", "created": now, "model": response_model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]}

        async def frames() -> AsyncIterator[bytes]:
            complete = False
            try:
                yield _sse(chunk({"role": "assistant", "content": ""}))
                while True:
                    kind, value = await events.get()
                    if kind == "text":
                        yield _sse(chunk({"content": value}))
                    elif kind == "done":
                        yield _sse(chunk({}, value.finish_reason))
                        if include_usage:
                            yield _sse({"id": cid, "object": "chat.completion.chunk", "created": now,
                                        "model": response_model, "choices": [], "usage": _usage(value)})
                        break
                    elif kind == "error":
                        yield _sse(ApiError(500, f"generation failed: {value.__class__.__name__}: {value}").body())
                        break
                    else:
                        break
                yield b"data: [DONE]\n\n"
                complete = True
            finally:
                if not complete:
                    app.state.abandoned += 1
                cancelled.set()  # no effect once done; stops a generation whose client has left

        return StreamingResponse(frames(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    return app


def _busy(full: QueueFull) -> ApiError:
    return ApiError(429, f"{full}; retry after {full.retry_after} s", code="server_busy",
                    headers={"Retry-After": str(full.retry_after)})


def _usage(result: GenerationResult) -> dict:
    p = result.prompt_tokens or 0
    c = result.completion_tokens or 0
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}
