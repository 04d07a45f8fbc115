"""The `openai` npm package (the curator's SDK) against the server: framing it can parse, errors it can read."""
import json
import os
import shutil
import subprocess

import pytest

from .conftest import png_data_uri

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None or not os.path.isdir(os.path.join(ROOT, "node_modules", "openai")),
                    reason="needs node and `npm ci` (node_modules/openai)")
def test_openai_sdk_reads_answers_streams_and_errors(server):
    script = os.path.join(os.path.dirname(__file__), "openai_sdk_client.mjs")
    run = subprocess.run([NODE, script, server.base + "/v1", png_data_uri()], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout.strip().splitlines()[-1])
    answer = "The second image has better quality, because it is sharper."
    assert out["whole"]["text"] == answer and out["whole"]["finish"] == "stop"
    assert out["whole"]["usage"]["completion_tokens"] == 10
    assert "".join(out["deltas"]) == answer and len(out["deltas"]) > 1
    assert out["streamFinish"] == "stop" and out["streamUsage"]["completion_tokens"] == 10
    assert out["error"]["status"] == 400 and out["error"]["code"] == "no_image"
    assert out["models"] == ["q-future/co-instruct"]
    assert len(server.model.calls) == 2
    assert server.model.calls[0].prompt == server.model.calls[1].prompt == (
        "USER: The first image: <|image|>\nThe second image: <|image|>Which image has better quality? ASSISTANT:")
