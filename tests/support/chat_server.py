"""A loopback server that speaks the OpenAI chat-completions protocol and records what it gets.

Each request is answered by a *responder*: ``(request, nth) -> Reply``, where ``nth`` counts the
earlier requests about the same instrument (0 on the first attempt, 1 on the retry). The
responders below write briefs from the fact sheet each request carries, grounded or with
planted hallucinations, or fail in the ways real servers fail.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tapewire.newsroom.writers.base import fmt_date, fmt_pct, fmt_price

STALE_LEVEL = "4,900.00"  # a level from an old market, in no demo fact sheet
INVENTED_OUTLET = "The Fictional Gazette"


@dataclass(frozen=True)
class ChatRequest:
    path: str
    headers: dict[str, str]  # names lower-cased
    body: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, str]]:
        return list(self.body.get("messages", []))

    @property
    def facts(self) -> dict[str, Any]:
        """The fact sheet in the first user message (after its one-line preamble)."""
        content = next(m["content"] for m in self.messages if m["role"] == "user")
        facts: dict[str, Any] = json.loads(content[content.index("{") :])
        return facts

    @property
    def symbol(self) -> str:
        try:
            return str(self.facts["instrument"]["symbol"])
        except (StopIteration, ValueError, KeyError):
            return ""


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # sleep before answering (a slow model, or a timeout)


Responder = Callable[[ChatRequest, int], Reply]


@dataclass
class ChatServer:
    base_url: str  # ends in /v1, like a real endpoint
    requests: list[ChatRequest]

    def for_symbol(self, symbol: str) -> list[ChatRequest]:
        return [r for r in self.requests if r.symbol == symbol]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    responder: Responder
    requests: list[ChatRequest]
    lock: threading.Lock

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        request = ChatRequest(
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=json.loads(raw) if raw else {},
        )
        with self.lock:
            nth = sum(1 for r in self.requests if r.symbol == request.symbol)
            self.requests.append(request)
        reply = type(self).responder(request, nth)
        if reply.delay_s:
            time.sleep(reply.delay_s)
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            return  # the client gave up (a timeout test)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up (a timeout test, a closed keep-alive) is not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve_chat(responder: Responder) -> Iterator[ChatServer]:
    """Serve ``responder`` on 127.0.0.1; yields the server (its base URL and its requests)."""
    requests: list[ChatRequest] = []
    handler = type(
        "Handler",
        (_Handler,),
        {"responder": staticmethod(responder), "requests": requests, "lock": threading.Lock()},
    )
    httpd = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = httpd.server_address[:2]
        yield ChatServer(f"http://{host!s}:{port}/v1", requests)
    finally:
        httpd.shutdown()
        thread.join(timeout=5)
        httpd.server_close()


# ---------------------------------------------------------------- answers


def completion(content: str | None, *, finish_reason: str = "stop") -> Reply:
    """A 200 chat-completions answer carrying ``content`` as the assistant's message."""
    doc = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
    return Reply(body=json.dumps(doc).encode())


def grounded_brief(facts: dict[str, Any]) -> dict[str, Any]:
    """A brief an honest model could write: every number formatted from the facts it was sent,
    in words of its own (so a stored brief shows whether it came from here)."""
    name, price, sig = facts["instrument"]["name"], facts["price"], facts["signals"]
    way = "up" if price["change_pct"] >= 0 else "down"
    analysis = [
        f"{name} ended the session of {fmt_date(facts['bar_date'])} at "
        f"{fmt_price(price['close'])}, {way} {fmt_pct(price['change_pct'])}.",
        f"Pulse stands at {sig['pulse']:.0f}/100 with a {sig['direction']} read and a Threat "
        f"Level of {sig['threat']}/5.",
    ]
    if facts["news"]:
        lead = facts["news"][0]
        analysis.append(
            f"The lead story came from {lead['outlet']} on {fmt_date(lead['published_at'][:10])}."
        )
    labels = {"support": "Support", "resistance": "Resistance"}
    return {
        "headline": f"{name} settles at {fmt_price(price['close'])}, {way} {fmt_pct(price['change_pct'])}",
        "dek": f"The model's read is {sig['direction']}, with risk {sig['risk']}.",
        "analysis": analysis,
        "watch": [
            f"{labels.get(lv['kind'], 'Level')} {fmt_price(lv['price'])}" for lv in facts["levels"]
        ],
        "risks": [f"Risk is rated {sig['risk']}."],
        "opportunities": [],
        "take": "Let the levels decide.",
    }


def wrong_percentage(facts: dict[str, Any]) -> str:
    """A one-decimal percentage that matches no number of the fact sheet."""
    values = list(_numbers(facts))
    for candidate in (7.9, 13.7, 21.3, 34.1, 47.9, 58.3, 66.1, 77.7, 88.3, 97.1):
        if all(abs(abs(v) - candidate) > 0.051 for v in values):
            return f"{candidate:.1f}%"
    raise AssertionError("every candidate percentage is a fact")


def swapped_claim(facts: dict[str, Any]) -> str:
    """A real number of the sheet in the wrong place: the close given as the RSI."""
    return f"RSI 14 is {fmt_price(facts['price']['close'])}"


def wrong_way(facts: dict[str, Any]) -> tuple[str, str]:
    """A move told the wrong way round: (the sentence, the percentage in it). The move is one
    whose size, turned the other way, is no other percentage of the sheet (else it would be
    grounded by that other fact)."""
    price = facts["price"]
    pcts = [v for k, v in price.items() if k.endswith("_pct") and v is not None]
    for key, span in (
        ("return20_pct", "over 20 sessions"),
        ("return60_pct", "over 60"),
        ("change_pct", "on the day"),
    ):
        value = price.get(key)
        if value is None or abs(value) < 0.05:
            continue
        if not any(fmt_pct(v) == fmt_pct(value) and v * value < 0 for v in pcts):
            pct = fmt_pct(value)
            return f"{span} it {'lost' if value > 0 else 'gained'} {pct}", pct
    raise AssertionError("no move to tell the wrong way round")


def hallucinated_brief(facts: dict[str, Any]) -> dict[str, Any]:
    """The grounded brief plus what hosted newsrooms get wrong: a stale level, a wrong
    percentage, an invented outlet, a real number put where it does not belong and a move told
    the wrong way round."""
    brief = grounded_brief(facts)
    brief["analysis"].append(
        f"Buyers defended {STALE_LEVEL} again and the move reached {wrong_percentage(facts)}, "
        f"from {INVENTED_OUTLET} on {fmt_date(facts['bar_date'])}; {swapped_claim(facts)}; "
        f"{wrong_way(facts)[0]}."
    )
    return brief


def _numbers(node: Any) -> Iterator[float]:
    if isinstance(node, bool) or node is None:
        return
    if isinstance(node, int | float):
        yield float(node)
    elif isinstance(node, dict):
        for value in node.values():
            yield from _numbers(value)
    elif isinstance(node, list):
        for value in node:
            yield from _numbers(value)


# ---------------------------------------------------------------- responders


def grounded(request: ChatRequest, nth: int) -> Reply:
    return completion(json.dumps(grounded_brief(request.facts)))


def hallucinating(request: ChatRequest, nth: int) -> Reply:
    return completion(json.dumps(hallucinated_brief(request.facts)))


def hallucinating_then_grounded(request: ChatRequest, nth: int) -> Reply:
    return hallucinating(request, nth) if nth == 0 else grounded(request, nth)


def fixed(reply: Reply) -> Responder:
    """The same reply to every request."""
    return lambda _request, _nth: reply
