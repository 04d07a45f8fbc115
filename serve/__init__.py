"""Co-Instruct companion server: q-future/co-instruct behind an OpenAI-compatible API.

Run from the repository root: ``python -m serve --port 8000`` (see README, "Serving Co-Instruct").
"""
