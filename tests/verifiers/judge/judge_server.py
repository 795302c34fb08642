"""A scriptable OpenAI-compatible chat-completions server on a loopback port, for judge tests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# A behaviour gets the request body and headers and returns (status, body text, extra headers).
Behaviour = Callable[[dict[str, Any], dict[str, str]], tuple[int, str, dict[str, str]]]


def chat_reply(content: str, tokens: int = 10) -> str:
    """A chat-completion response body carrying `content`."""
    return json.dumps(
        {
            "choices": [{"message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": tokens // 2, "completion_tokens": tokens - tokens // 2, "total_tokens": tokens},
        }
    )


def keyword_judge(body: dict[str, Any], headers: dict[str, str]) -> tuple[int, str, dict[str, str]]:
    """Met when the response section of the prompt contains the word 'correct'."""
    prompt = body["messages"][0]["content"]
    response = prompt.split("# Response to grade", 1)[1].split("# Reference", 1)[0]
    met = "correct" in response and "incorrect" not in response
    return 200, chat_reply(json.dumps({"met": met, "reason": "keyword"})), {}


class FakeJudgeServer:
    """Serves `behaviour` on 127.0.0.1; counts requests and the most requests in flight at once."""

    def __init__(self, behaviour: Behaviour = keyword_judge, delay: float = 0.0):
        self.behaviour = behaviour
        self.delay = delay
        self.requests = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length))
                with server._lock:
                    server.requests += 1
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                    server.bodies.append(body)
                    server.headers.append(dict(self.headers))
                try:
                    if server.delay:
                        time.sleep(server.delay)
                    status, text, extra = server.behaviour(body, dict(self.headers))
                finally:
                    with server._lock:
                        server.in_flight -= 1
                data = text.encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for k, v in extra.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        """The server's base URL, as a judge's `base_url`."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def stop(self) -> None:
        """Shut the server down and free its port."""
        self.httpd.shutdown()
        self.httpd.server_close()
