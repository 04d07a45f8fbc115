"""Fixtures: a real uvicorn server on 127.0.0.1 (free port, own thread) around a stand-in model."""
from __future__ import annotations

import base64
import io
import socket
import threading
import time
from typing import Iterator

import httpx
import pytest
import uvicorn
from PIL import Image

from serve.app import ServerConfig, create_app
from serve.engine import CoInstructEngine

from .stand_in_model import StandInModel


class RunningServer:
    def __init__(self, model: StandInModel, config: ServerConfig, seeds: list) -> None:
        self.model = model
        self.config = config
        self.seeds = seeds
        self.app = create_app(CoInstructEngine(model, seeder=seeds.append), config)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def start(self) -> "RunningServer":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self.model.gate is not None:
            self.model.gate.set()
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


@pytest.fixture
def make_server() -> Iterator:
    started = []

    def make(model: StandInModel = None, **config) -> RunningServer:
        srv = RunningServer(model or StandInModel(), ServerConfig(**config), []).start()
        started.append(srv)
        return srv

    yield make
    for srv in started:
        srv.stop()


@pytest.fixture
def server(make_server) -> RunningServer:
    return make_server()


@pytest.fixture
def client(server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base, timeout=20) as c:
        yield c


def png_data_uri(color=(200, 30, 30), size=(32, 24)) -> str:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def file_data_uri(path: str) -> str:
    mime = "image/png" if path.lower().endswith(".png") else "image/jpeg"
    with open(path, "rb") as fh:
        return f"data:{mime};base64," + base64.b64encode(fh.read()).decode()
