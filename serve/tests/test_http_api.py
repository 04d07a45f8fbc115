"""The server over real HTTP (uvicorn on 127.0.0.1) with the stand-in model."""
import json
import threading

import httpx
import pytest

from .conftest import file_data_uri, png_data_uri
from .stand_in_model import StandInModel

EXAMPLES = "/work/shared/data/examples"


def two_image_body(**extra):
    body = {"model": "q-future/co-instruct", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "The first image:"},
        {"type": "image_url", "image_url": {"url": png_data_uri((255, 0, 0))}},
        {"type": "text", "text": "The second image:"},
        {"type": "image_url", "image_url": {"url": png_data_uri((0, 0, 255), (40, 30))}},
        {"type": "text", "text": "Which image has better quality, and why?"}]}]}
    body.update(extra)
    return body


def sse_events(text):
    assert text.endswith("data: [DONE]\n\n")
    frames = [f for f in text.split("\n\n") if f]
    assert all(f.startswith("data: ") for f in frames)
    return [json.loads(f[6:]) for f in frames[:-1]]


def test_models_and_health(client):
    models = client.get("/v1/models").json()
    assert [m["id"] for m in models["data"]] == ["q-future/co-instruct"]
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["queue"]["running"] == 0


def test_completion_maps_prompt_images_and_parameters(server, client):
    r = client.post("/v1/chat/completions", json=two_image_body(temperature=0.7, top_p=0.9, max_tokens=64, seed=7))
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["object"] == "chat.completion"
    assert data["choices"][0]["message"] == {"role": "assistant",
                                             "content": "The second image has better quality, because it is sharper."}
    assert data["choices"][0]["finish_reason"] == "stop"
    assert data["usage"]["completion_tokens"] == 10
    [call] = server.model.calls
    assert call.prompt == ("USER: The first image: <|image|>\nThe second image: <|image|>"
                           "Which image has better quality, and why? ASSISTANT:")
    assert call.image_sizes == [(32, 24), (40, 30)]
    assert call.image_modes == ["RGB", "RGB"]
    assert call.corner_pixels == [(255, 0, 0), (0, 0, 255)]
    assert call.kwargs == {"max_new_tokens": 64, "do_sample": True, "temperature": 0.7, "top_p": 0.9}
    assert server.seeds == [7]


def test_greedy_by_default_and_real_jpeg_files(server, client):
    body = {"messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": file_data_uri(f"{EXAMPLES}/singapore_flyer.jpg")}},
        {"type": "text", "text": "Which happens in this image: motion-blur, over-exposure, or under-exposure?"}]}]}
    r = client.post("/v1/chat/completions", json=body)
    assert r.status_code == 200, r.text
    [call] = server.model.calls
    assert call.prompt == ("USER: The image: <|image|>Which happens in this image: motion-blur, over-exposure, "
                           "or under-exposure? ASSISTANT:")
    assert call.kwargs == {"max_new_tokens": 512, "do_sample": False}
    assert call.image_modes == ["RGB"] and call.image_sizes[0][0] > 100


def test_max_tokens_cuts_the_answer_and_reports_length(client):
    r = client.post("/v1/chat/completions", json=two_image_body(max_tokens=3))
    choice = r.json()["choices"][0]
    assert choice["message"]["content"] == "The second image"
    assert choice["finish_reason"] == "length"


def test_stop_sequences_end_the_answer_early(server, client):
    r = client.post("/v1/chat/completions", json=two_image_body(stop=[" because"]))
    choice = r.json()["choices"][0]
    assert choice["message"]["content"] == "The second image has better quality,"
    assert choice["finish_reason"] == "stop"


def test_streaming_framing(client):
    with client.stream("POST", "/v1/chat/completions",
                       json=two_image_body(stream=True, stream_options={"include_usage": True})) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        text = r.read().decode()
    events = sse_events(text)
    assert events[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    contents = [e["choices"][0]["delta"].get("content") for e in events[1:-2]]
    assert len(contents) >= 5, "the answer arrives in several chunks"
    assert "".join(contents) == "The second image has better quality, because it is sharper."
    assert all(e["object"] == "chat.completion.chunk" and e["id"] == events[0]["id"] for e in events)
    assert events[-2]["choices"][0]["finish_reason"] == "stop"
    assert events[-1]["choices"] == [] and events[-1]["usage"]["completion_tokens"] == 10


def test_streaming_with_stop_never_shows_the_stop_text(client):
    with client.stream("POST", "/v1/chat/completions", json=two_image_body(stream=True, stop="quality")) as r:
        events = sse_events(r.read().decode())
    streamed = "".join(e["choices"][0]["delta"].get("content") or "" for e in events)
    assert streamed == "The second image has better"
    assert events[-1]["choices"][0]["finish_reason"] == "stop"


def test_model_without_token_streaming_still_streams_one_chunk(make_server):
    model = StandInModel()
    model.streams_tokens = False
    srv = make_server(model)
    with httpx.Client(base_url=srv.base) as c, c.stream("POST", "/v1/chat/completions",
                                                       json=two_image_body(stream=True)) as r:
        events = sse_events(r.read().decode())
    assert [e["choices"][0]["delta"].get("content") for e in events[1:-1]] == [
        "The second image has better quality, because it is sharper."]


def test_model_chat_without_generate_hooks_still_answers(make_server):
    model = StandInModel()
    model.accepts_hooks = False
    srv = make_server(model)
    with httpx.Client(base_url=srv.base, timeout=20) as c:
        for _ in range(2):
            r = c.post("/v1/chat/completions", json=two_image_body(stop=" because"))
            assert r.json()["choices"][0]["message"]["content"] == "The second image has better quality,"
    assert len(model.calls) == 2, "the refused call is not recorded; each request reaches the model once"
    assert srv.app.state.engine.hooks_supported is False


def _error(r, status):
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert set(err) == {"message", "type", "param", "code"}
    return err


def test_clear_400s(server, client):
    no_image = {"messages": [{"role": "user", "content": "Which is better?"}]}
    err = _error(client.post("/v1/chat/completions", json=no_image), 400)
    assert err["code"] == "no_image" and "image" in err["message"]

    five = {"messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": png_data_uri()}} for _ in range(5)] + ["Rank."]}]}
    err = _error(client.post("/v1/chat/completions", json=five), 400)
    assert err["code"] == "too_many_images" and "5" in err["message"] and "4" in err["message"]

    broken = two_image_body()
    broken["messages"][0]["content"][3]["image_url"]["url"] = "data:image/png;base64,iVBORw0KGgoAAAAN"
    err = _error(client.post("/v1/chat/completions", json=broken), 400)
    assert err["code"] == "invalid_image" and err["param"] == "messages[0].content[3].image_url"

    not_b64 = two_image_body()
    not_b64["messages"][0]["content"][1]["image_url"]["url"] = "data:image/png;base64,@@@"
    assert _error(client.post("/v1/chat/completions", json=not_b64), 400)["code"] == "invalid_image"

    remote = two_image_body()
    remote["messages"][0]["content"][1]["image_url"]["url"] = "http://127.0.0.1:9/a.png"
    err = _error(client.post("/v1/chat/completions", json=remote), 400)
    assert err["code"] == "remote_images_disabled" and "--allow-remote-images" in err["message"]

    assert _error(client.post("/v1/chat/completions", json=two_image_body(temperature=3)), 400)["param"] == "temperature"
    assert _error(client.post("/v1/chat/completions", json=two_image_body(max_tokens=0)), 400)["param"] == "max_tokens"
    assert _error(client.post("/v1/chat/completions", json=two_image_body(n=2)), 400)["param"] == "n"
    assert _error(client.post("/v1/chat/completions", json=two_image_body(stop=[1])), 400)["param"] == "stop"
    assert _error(client.post("/v1/chat/completions", content=b"{nope"), 400)["message"].startswith("the request body")
    assert _error(client.post("/v1/chat/completions", json=two_image_body(model="gpt-4o")), 404)["code"] == "model_not_found"
    assert server.model.calls == [], "no bad request reaches the model"


def test_remote_images_when_allowed(make_server, tmp_path):
    import http.server
    import functools
    from PIL import Image
    Image.new("RGB", (20, 10), (0, 255, 0)).save(tmp_path / "green.png")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a, **k: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        from serve.images import ImagePolicy
        srv = make_server(images=ImagePolicy(allow_remote=True))
        url = f"http://127.0.0.1:{httpd.server_address[1]}/green.png"
        body = {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": url}}, "Ok?"]}]}
        r = httpx.post(srv.base + "/v1/chat/completions", json=body, timeout=20)
        assert r.status_code == 200, r.text
        assert srv.model.calls[0].corner_pixels == [(0, 255, 0)]
        body["messages"][0]["content"][0]["image_url"]["url"] = url + ".missing"
        r = httpx.post(srv.base + "/v1/chat/completions", json=body, timeout=20)
        assert r.status_code == 400 and r.json()["error"]["code"] == "image_fetch_failed"
    finally:
        httpd.shutdown()


def test_bearer_key(make_server):
    srv = make_server(api_key="s3cret")
    with httpx.Client(base_url=srv.base, timeout=20) as c:
        assert c.get("/health").status_code == 200, "health stays open for load balancers"
        assert _error(c.get("/v1/models"), 401)["code"] == "invalid_api_key"
        r = c.post("/v1/chat/completions", json=two_image_body(), headers={"Authorization": "Bearer nope"})
        assert _error(r, 401)["type"] == "authentication_error"
        r = c.post("/v1/chat/completions", json=two_image_body(), headers={"Authorization": "Bearer s3cret"})
        assert r.status_code == 200


def test_model_failure_is_a_500_in_openai_shape(make_server):
    model = StandInModel()
    model.fail_with = RuntimeError("CUDA out of memory")
    srv = make_server(model)
    r = httpx.post(srv.base + "/v1/chat/completions", json=two_image_body(), timeout=20)
    err = _error(r, 500)
    assert "CUDA out of memory" in err["message"]
    with httpx.stream("POST", srv.base + "/v1/chat/completions", json=two_image_body(stream=True), timeout=20) as s:
        events = sse_events(s.read().decode())
    assert "CUDA out of memory" in events[-1]["error"]["message"]
