"""End to end: the curator asks (`cocurate ask`, the product's own endpoint client), this server answers
with the stand-in model, and the answer shows beside the label in the CLI output."""
import json
import os
import shutil
import socket
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
NODE = shutil.which("node")
DEMO = os.path.join(ROOT, "demo", "coinstruct-demo.json")
CLI = os.path.join(ROOT, "bin", "cocurate.js")
ANSWER = "The second image has better quality, because it is sharper."
QUESTION = "Which image has better quality, and why?"

pytestmark = pytest.mark.skipif(
    NODE is None or not os.path.isdir(os.path.join(ROOT, "node_modules")) or not os.path.exists(DEMO)
    or not os.path.exists(os.path.join(ROOT, "src", "cli", "commands", "ask.ts")),
    reason="needs node, `npm ci`, the demo data and the `cocurate ask` command")


@pytest.fixture(scope="module", autouse=True)
def built_cli():
    if not os.path.exists(os.path.join(ROOT, "dist", "cli.js")):
        subprocess.run([NODE, "scripts/build.mjs"], cwd=ROOT, check=True, capture_output=True, timeout=300)


def demo_index(pred):
    with open(DEMO) as fh:
        records = json.load(fh)
    return next(i for i, r in enumerate(records) if pred(r)), records


def cocurate(*args, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "COCURATE_API_KEY"}
    return subprocess.run([NODE, CLI, "ask", DEMO, *args, "--model", "q-future/co-instruct", "--no-cache",
                           "--curation", str(tmp_path / "curator"), "--retries", "0"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)


def test_the_answer_shows_beside_the_label(server, tmp_path):
    i, records = demo_index(lambda r: isinstance(r["image"], list) and len(r["image"]) == 2
                            and QUESTION in r["conversations"][0]["value"])
    label = records[i]["conversations"][1]["value"]
    run = cocurate(str(i), "--endpoint", server.base + "/v1", tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    lab, ans = out.index("Label:"), out.index("Answer (")
    assert lab < ans
    assert label in out[lab:ans], "the label is printed under Label:"
    assert ANSWER in out[ans:], "the server's answer is printed under Answer, beside the label"
    assert "Agreement:" in out

    [call] = server.model.calls
    assert call.prompt == ("USER: The first image: <|image|>\nThe second image: <|image|>" + QUESTION + " ASSISTANT:")
    assert call.image_sizes == [(448, 448), (448, 448)], "the curator's default square 448 px preprocessing"
    assert call.kwargs["do_sample"] is False, "the curator asks with temperature 0"


def test_json_output_and_single_image(server, tmp_path):
    i, records = demo_index(lambda r: isinstance(r["image"], str))
    run = cocurate(str(i), "--endpoint", server.base + "/v1", "--json", tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["answer"] == ANSWER
    assert out["label"] == records[i]["conversations"][1]["value"]
    [call] = server.model.calls
    assert call.prompt.startswith("USER: The image: <|image|>") and call.prompt.endswith(" ASSISTANT:")
    assert len(call.image_sizes) == 1


def test_two_replicas_one_down(server, tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    dead = f"http://127.0.0.1:{s.getsockname()[1]}/v1"
    s.close()  # nothing listens there now
    i, _ = demo_index(lambda r: isinstance(r["image"], list) and len(r["image"]) == 2)
    run = cocurate(str(i), "--endpoint", f"{dead},{server.base}/v1", "--json", tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["answer"] == ANSWER
    assert len(server.model.calls) == 1


def test_spot_check_batch_spread_over_two_servers_and_a_dead_one(make_server, tmp_path):
    a, b = make_server(), make_server()
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    dead = f"http://127.0.0.1:{s.getsockname()[1]}/v1"
    s.close()
    cur = tmp_path / "curator"
    sample = subprocess.run([NODE, CLI, "sample", DEMO, "--size", "12", "--seed", "9", "--name", "e2e",
                             "--out", str(cur), "--json"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert sample.returncode == 0, sample.stderr
    plan_dir = cur / "spotchecks" / "e2e"
    run = subprocess.run([NODE, CLI, "ask", str(plan_dir), "--endpoint", f"{a.base}/v1,{dead},{b.base}/v1",
                          "--model", "q-future/co-instruct", "--no-cache", "--concurrency", "4", "--retries", "0",
                          "--json"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["summary"]["answered"] == 12 and out["summary"]["failed"] == 0
    assert len(a.model.calls) + len(b.model.calls) == 12, "each item asked once"
    assert a.model.calls and b.model.calls, "both live replicas took part"
