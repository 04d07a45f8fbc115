"""One generation at a time, a bounded queue behind it, 429 + Retry-After when full."""
import threading
import time

import httpx

from .stand_in_model import StandInModel
from .test_http_api import two_image_body


def wait_for(predicate, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def test_one_at_a_time_then_429_with_retry_after(make_server):
    model = StandInModel()
    model.gate = threading.Event()
    srv = make_server(model, max_waiting=2)
    results = {}

    def ask(i):
        r = httpx.post(srv.base + "/v1/chat/completions", json=two_image_body(seed=i), timeout=30)
        results[i] = r

    def queue():
        return httpx.get(srv.base + "/health").json()["queue"]

    threads = [threading.Thread(target=ask, args=(0,))]
    threads[0].start()
    wait_for(lambda: queue()["running"] == 1, "the first generation to start")
    for i in (1, 2):
        threads.append(threading.Thread(target=ask, args=(i,)))
        threads[-1].start()
    wait_for(lambda: queue()["waiting"] == 2, "two requests waiting")
    assert len(model.calls) == 1, "only one generation runs at a time"

    busy = httpx.post(srv.base + "/v1/chat/completions", json=two_image_body(), timeout=30)
    assert busy.status_code == 429
    assert int(busy.headers["retry-after"]) >= 1
    assert busy.json()["error"]["code"] == "server_busy"
    busy_stream = httpx.post(srv.base + "/v1/chat/completions", json=two_image_body(stream=True), timeout=30)
    assert busy_stream.status_code == 429

    model.gate.set()
    for t in threads:
        t.join(30)
    assert sorted(results) == [0, 1, 2]
    assert all(r.status_code == 200 for r in results.values())
    assert srv.seeds[0] == 0 and sorted(srv.seeds) == [0, 1, 2]
    assert len(model.calls) == 3
    assert queue() == {**queue(), "running": 0, "waiting": 0, "completed": 3}


def test_a_client_that_leaves_while_queued_frees_its_place(make_server):
    model = StandInModel()
    model.gate = threading.Event()
    srv = make_server(model, max_waiting=1)

    def queue():
        return httpx.get(srv.base + "/health").json()["queue"]

    first = threading.Thread(target=lambda: httpx.post(srv.base + "/v1/chat/completions",
                                                       json=two_image_body(), timeout=30))
    first.start()
    wait_for(lambda: queue()["running"] == 1, "the first generation")
    # A streaming client queues, then goes away before its turn.
    with httpx.stream("POST", srv.base + "/v1/chat/completions", json=two_image_body(stream=True), timeout=30) as s:
        assert s.status_code == 200
        first_line = next(s.iter_lines())
        assert first_line.startswith("data: ")
        wait_for(lambda: queue()["waiting"] == 1, "the stream to wait")
    wait_for(lambda: httpx.get(srv.base + "/health").json()["abandoned"] == 1, "the server to see the client leave")
    model.gate.set()
    first.join(30)
    wait_for(lambda: queue()["waiting"] == 0 and queue()["running"] == 0, "the queue to drain")
    assert len(model.calls) == 1, "the abandoned request never reached the model"
    ok = httpx.post(srv.base + "/v1/chat/completions", json=two_image_body(), timeout=30)
    assert ok.status_code == 200


def test_a_client_that_leaves_mid_answer_stops_the_generation(make_server):
    model = StandInModel(answer=" " + " ".join(f"word{i}" for i in range(200)))
    model.pause_after = 3
    srv = make_server(model)

    def queue():
        return httpx.get(srv.base + "/health").json()["queue"]

    with httpx.stream("POST", srv.base + "/v1/chat/completions", json=two_image_body(stream=True), timeout=30) as s:
        lines = s.iter_lines()
        seen = ""
        for line in lines:
            if line.startswith("data: {") and '"content": "word' in line:
                seen = line
                break
        assert "word0" in seen
    # The stand-in waits after 3 tokens until a stopping criterion fires: only the client leaving does that.
    wait_for(lambda: queue()["running"] == 0, "the generation to stop")
    # At most the 3 tokens before the pause: the client may leave (and be noticed) after the first
    # token on a loaded machine, before the generation thread reaches the pause. Without the stop
    # the stand-in would go on to all 200 tokens after its 30 s wait.
    assert 1 <= model.tokens_emitted <= 3, model.tokens_emitted
    model.pause_after = None
    ok = httpx.post(srv.base + "/v1/chat/completions", json=two_image_body(), timeout=30)
    assert ok.status_code == 200


def test_a_non_streaming_client_that_leaves_stops_the_generation(make_server):
    model = StandInModel(answer=" " + " ".join(f"word{i}" for i in range(200)))
    model.pause_after = 3
    srv = make_server(model)
    # The stand-in holds after 3 tokens until cancelled, so the client's read timeout always fires first.
    try:
        httpx.post(srv.base + "/v1/chat/completions", json=two_image_body(), timeout=httpx.Timeout(10, read=1.0))
        raise AssertionError("expected the read to time out")
    except httpx.ReadTimeout:
        pass
    wait_for(lambda: httpx.get(srv.base + "/health").json()["queue"]["running"] == 0, "the generation to stop")
    assert model.tokens_emitted == 3
