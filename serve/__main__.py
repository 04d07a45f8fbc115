"""``python -m serve``: load Co-Instruct on one GPU and serve it with uvicorn."""
from __future__ import annotations

import argparse
import os
import sys

from .app import ServerConfig, create_app
from .images import ImagePolicy


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m serve",
                                description="Serve q-future/co-instruct behind an OpenAI-compatible API.")
    p.add_argument("--model", default="q-future/co-instruct", help="Hugging Face id or local folder")
    p.add_argument("--device", default="cuda:0", help="one GPU per server; run one server per GPU")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--served-model-name", default="q-future/co-instruct")
    p.add_argument("--api-key", default=os.environ.get("COINSTRUCT_API_KEY"),
                   help="require 'Authorization: Bearer KEY' (default: $COINSTRUCT_API_KEY; none = open)")
    p.add_argument("--max-images", type=int, default=4)
    p.add_argument("--max-queue", type=int, default=8, help="requests allowed to wait behind the running one")
    p.add_argument("--default-max-tokens", type=int, default=512)
    p.add_argument("--max-tokens-limit", type=int, default=2048)
    p.add_argument("--allow-remote-images", action="store_true", help="also accept http(s) image URLs")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    import uvicorn

    from .model_loader import load_engine

    print(f"loading {args.model} on {args.device} ...", file=sys.stderr, flush=True)
    engine = load_engine(args.model, args.device)
    config = ServerConfig(model_name=args.served_model_name,
                          aliases=sorted({"co-instruct", args.model} - {args.served_model_name}),
                          api_key=args.api_key or None, max_images=args.max_images, max_waiting=args.max_queue,
                          default_max_tokens=args.default_max_tokens, max_tokens_limit=args.max_tokens_limit,
                          images=ImagePolicy(allow_remote=args.allow_remote_images))
    uvicorn.run(create_app(engine, config), host=args.host, port=args.port, log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
