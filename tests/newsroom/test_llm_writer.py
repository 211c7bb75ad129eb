"""The LLM writer over a real loopback chat-completions server, inside the real demo pipeline:
grounded answers are published as ``llm:<model>``; hallucinated or broken ones are retried once
and then replaced by the template writer, with the reason recorded; the API key goes out as a
Bearer header and nowhere else; nothing is asked when the LLM is off (the default)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tapewire.clock import FixedClock
from tapewire.config import LlmSettings, Settings, load_settings
from tapewire.demo.run import run_demo
from tapewire.errors import BadInputError, ConfigError
from tapewire.net import HttpClient
from tapewire.newsroom import queries
from tapewire.newsroom.models import Verification
from tapewire.newsroom.verify import verify_texts
from tapewire.newsroom.writers.llm import (
    LlmAnswerError,
    LlmWriter,
    find_unreadable_numbers,
    prompt_facts,
)
from tapewire.newsroom.writers.template import TemplateWriter
from tapewire.store import open_store
from tapewire.web.app import create_app
from tests.conftest import DEMO_AS_OF, ROOT
from tests.support.chat_server import (
    INVENTED_OUTLET,
    STALE_LEVEL,
    ChatRequest,
    ChatServer,
    Reply,
    Responder,
    completion,
    fixed,
    grounded,
    grounded_brief,
    hallucinating,
    hallucinating_then_grounded,
    serve_chat,
    swapped_claim,
    wrong_percentage,
    wrong_way,
)
from tests.support.cli import cli_env

MODEL = "test-model"
SYMBOLS = {"^MKT", "^SMC", "MKTX", "ACME", "DCN-USD"}  # the demo world's instruments


def with_llm(settings: Settings, base_url: str, **llm: Any) -> Settings:
    fields: dict[str, Any] = {"enabled": True, "base_url": base_url, "model": MODEL, **llm}
    return settings.model_copy(update={"llm": LlmSettings(**fields)})


def run_world(settings: Settings) -> dict[str, Any]:
    """The real demo pipeline as of DEMO_AS_OF; every stored brief as its JSON document."""
    summary = run_demo(settings, as_of=DEMO_AS_OF, clock=FixedClock(DEMO_AS_OF))
    assert summary["errors"] == []
    store = open_store(settings.database_url())
    try:
        docs = [
            queries.brief_document(v)
            for v in queries.list_briefs(store, limit=100)
            if v.primary_tag != "market"  # the market brief has its own writer (writers.market)
        ]
    finally:
        store.close()
    by_symbol = {d["instruments"][0]: d for d in docs}
    assert len(by_symbol) == len(docs), "one brief per instrument expected on the demo's day"
    return by_symbol


def writer_notes(doc: dict[str, Any]) -> list[str]:
    """The writer's notes (LLM attempts, fallback), without the coherence rewrites the template
    brief may get afterwards (newsroom.coherence)."""
    return [n for n in doc["verification"]["notes"] if not n.startswith("coherence rewrite:")]


def test_a_grounded_answer_is_published_as_the_llm_brief(settings: Settings) -> None:
    with serve_chat(grounded) as server:
        briefs = run_world(with_llm(settings, server.base_url))
    assert set(briefs) == SYMBOLS
    for symbol, doc in briefs.items():
        (request,) = server.for_symbol(symbol)  # verified on the first attempt: one request
        assert doc["writer"] == f"llm:{MODEL}"
        assert doc["verification"]["ok"] and doc["verification"]["failed"] == 0
        assert doc["verification"]["checked"] > 5 and doc["verification"]["notes"] == []
        sent = grounded_brief(request.facts)
        assert (doc["headline"], doc["sections"]["analysis"]) == (
            sent["headline"],
            sent["analysis"],
        )
        template = TemplateWriter().write(doc["facts"])
        assert doc["tags"] == list(template.tags)
        assert find_unreadable_numbers(template.texts(), doc["facts"]) == []  # house style passes
        assert request.facts == prompt_facts(doc["facts"])  # the stored sheet, minus the chart
        assert "chart" not in request.facts and "chart" in doc["facts"]


def test_the_request_speaks_chat_completions(settings: Settings) -> None:
    with serve_chat(grounded) as server:
        run_world(with_llm(settings, server.base_url + "/", max_tokens=900, temperature=0.2))
    request = server.for_symbol("ACME")[0]
    assert request.path == "/v1/chat/completions"
    assert request.headers["content-type"] == "application/json"
    assert "authorization" not in request.headers  # no key configured, none sent
    body = request.body
    assert (body["model"], body["temperature"], body["max_tokens"]) == (MODEL, 0.2, 900)
    assert body["response_format"] == {"type": "json_object"} and body["stream"] is False
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    system = body["messages"][0]["content"]
    for rule in ("6,912.35", "2.3%", "Nov 23, 2026", "from <outlet> on <date>", "JSON"):
        assert rule in system


def test_hallucinations_are_retried_once_then_replaced_by_the_template(settings: Settings) -> None:
    with serve_chat(hallucinating) as server:
        briefs = run_world(with_llm(settings, server.base_url))
    assert set(briefs) == SYMBOLS
    for symbol, doc in briefs.items():
        first, retry = server.for_symbol(symbol)  # exactly two requests: one retry
        facts = doc["facts"]
        assert doc["writer"] == "template"
        assert doc["headline"] == TemplateWriter().write(facts).headline
        assert doc["verification"]["ok"] and doc["verification"]["failed"] == 0
        stored = json.dumps([doc["headline"], doc["dek"], doc["sections"]])
        assert STALE_LEVEL not in stored and INVENTED_OUTLET not in stored
        notes = writer_notes(doc)
        assert len(notes) == 3 and notes[2] == "written by the template writer instead"
        for n, note in enumerate(notes[:2], start=1):
            assert note.startswith(f"llm:{MODEL} attempt {n} rejected: 5 claims not in the fact")
            sent = prompt_facts(facts)
            for claim in (
                STALE_LEVEL,
                wrong_percentage(sent),
                INVENTED_OUTLET,
                swapped_claim(sent),
                wrong_way(sent)[1],
            ):
                assert repr(claim) in note
        # The retry shows the model its rejected answer and the claims that failed.
        roles = [m["role"] for m in retry.messages]
        assert roles == ["system", "user", "assistant", "user"]
        assert retry.messages[:2] == first.messages
        assert STALE_LEVEL in retry.messages[2]["content"]
        assert repr(INVENTED_OUTLET) in retry.messages[3]["content"]


def test_a_grounded_retry_after_a_hallucination_is_published(settings: Settings) -> None:
    with serve_chat(hallucinating_then_grounded) as server:
        briefs = run_world(with_llm(settings, server.base_url))
    for symbol, doc in briefs.items():
        assert len(server.for_symbol(symbol)) == 2
        assert doc["writer"] == f"llm:{MODEL}"
        assert doc["verification"]["ok"]
        (note,) = doc["verification"]["notes"]
        assert note.startswith(f"llm:{MODEL} attempt 1 rejected:") and STALE_LEVEL in note
        assert STALE_LEVEL not in json.dumps(doc["sections"])
    page = asyncio.run(brief_page(settings, briefs["ACME"]["slug"]))
    assert f"tapewire newsroom (llm:{MODEL})" in page  # the page says which writer wrote it
    assert 'data-testid="verification-notes"' in page and "attempt 1 rejected" in page


async def brief_page(settings: Settings, slug: str) -> str:
    store = open_store(settings.database_url())
    try:
        transport = httpx.ASGITransport(app=create_app(settings, store=store))
        async with httpx.AsyncClient(transport=transport, base_url="http://t.test") as client:
            response = await client.get(f"/briefs/{slug}")
            assert response.status_code == 200
            return response.text
    finally:
        store.close()


FAULTS: dict[str, tuple[Reply, str]] = {
    "http 500": (Reply(status=500, body=b'{"error": "model crashed"}'), "HTTP 500 from"),
    "http 401": (Reply(status=401, body=b'{"error": "bad key"}'), "HTTP 401 from"),
    "timeout": (replace(completion("{}"), delay_s=1.0), "timed out"),  # llm.timeout_s 0.3 below
    "malformed body": (Reply(body=b'{"choices": [{"message": '), "answer is not JSON"),
    "prose content": (completion("Sure! ACME rose today."), "not one JSON object"),
    "missing field": (completion('{"headline": "ACME rises"}'), "dek: Field required"),
    "cut off": (completion('{"headline": "ACME', finish_reason="length"), "cut off"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_faults_fall_back_to_the_template_and_the_pipeline_carries_on(
    settings: Settings, fault: str
) -> None:
    reply, reason = FAULTS[fault]
    timeout = {"timeout_s": 0.3} if fault == "timeout" else {}
    with serve_chat(fixed(reply)) as server:
        briefs = run_world(with_llm(settings, server.base_url, **timeout))
    assert set(briefs) == SYMBOLS  # every instrument still gets its brief
    for symbol, doc in briefs.items():
        assert len(server.for_symbol(symbol)) == 2
        assert doc["writer"] == "template" and doc["verification"]["ok"]
        attempt1, attempt2, fallback = writer_notes(doc)
        assert reason in attempt1 and reason in attempt2, attempt1
        assert fallback == "written by the template writer instead"


def test_the_api_key_is_a_bearer_header_and_nowhere_else(tmp_path: Path) -> None:
    """Through the real CLI with --debug logging: the key is on every request and in no output,
    log line or stored row, on the happy path and on failures alike."""
    key = "sk-test-6f1c0ffee0ddba11-do-not-leak"

    def mixed(request: ChatRequest, nth: int) -> Reply:
        if request.symbol == "ACME":
            return Reply(status=500, body=b"{}")
        return hallucinating(request, nth) if request.symbol == "^MKT" else grounded(request, nth)

    db = str(tmp_path / "xdg" / "tapewire" / "demo.db")
    with serve_chat(mixed) as server:
        env = {
            **cli_env(tmp_path),
            "TAPEWIRE_LLM__ENABLED": "true",
            "TAPEWIRE_LLM__BASE_URL": server.base_url,
            "TAPEWIRE_LLM__MODEL": MODEL,
            "TAPEWIRE_LLM__API_KEY": key,
            "TAPEWIRE_DEMO__HISTORY_DAYS": "1",  # one day: a countable number of requests
        }
        outputs = [
            _cli(env, "--debug", "demo", "--no-serve", "--as-of", "2026-11-20"),
            _cli(env, "--debug", "brief", "ACME", "--db", db, "--as-of", "2026-11-20"),
            _cli(env, "brief", "^MKT", "--db", db, "--as-of", "2026-11-20", "--format", "json"),
        ]
    assert len(server.requests) == 3 + 2 + 2  # three grounded; ^MKT and ACME retried once
    assert {r.headers["authorization"] for r in server.requests} == {f"Bearer {key}"}
    assert "writer: template" in outputs[1] and "attempt 2 rejected: HTTP 500" in outputs[1]
    assert '"writer": "template"' in outputs[2] and STALE_LEVEL in outputs[2]  # the notes
    assert "DEBUG" in outputs[0]  # the debug log was on, and still no key
    stored = b"".join(p.read_bytes() for p in (tmp_path / "xdg").rglob("*") if p.is_file())
    assert b"Bearer" not in stored
    for text in [*outputs, stored.decode("utf-8", "replace")]:
        assert key not in text and key[8:24] not in text


def _cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "tapewire.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


def test_the_llm_is_off_by_default_and_nothing_is_asked(settings: Settings) -> None:
    assert load_settings().llm.enabled is False
    with serve_chat(grounded) as server:
        configured = settings.model_copy(
            update={"llm": LlmSettings(base_url=server.base_url, model=MODEL)}  # not enabled
        )
        briefs = run_world(configured)
    assert server.requests == []
    assert {d["writer"] for d in briefs.values()} == {"template"}
    assert all(writer_notes(d) == [] for d in briefs.values())


def test_enabling_without_an_endpoint_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in [k for k in os.environ if k.startswith("TAPEWIRE_")]:
        monkeypatch.delenv(key)
    with pytest.raises(ConfigError, match=r"llm\.enabled needs llm\.base_url and llm\.model"):
        load_settings(llm={"enabled": True, "model": MODEL})
    with pytest.raises(ConfigError, match="http:// or https://"):
        load_settings(llm={"base_url": "file:///etc/passwd"})
    with pytest.raises(ConfigError, match="must not carry credentials"):
        load_settings(llm={"base_url": "https://user:sk-in-url@api.example.test/v1"})
    monkeypatch.setenv("TAPEWIRE_LLM__API_KEY", "sk-env-secret")
    loaded = load_settings()
    assert loaded.llm.api_key is not None
    assert loaded.llm.api_key.get_secret_value() == "sk-env-secret"
    assert "sk-env-secret" not in repr(loaded) and "sk-env-secret" not in str(loaded.llm)


def test_the_readme_example_config_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in [k for k in os.environ if k.startswith("TAPEWIRE_")]:
        monkeypatch.delenv(key)
    readme = (ROOT / "README.md").read_text()
    example = tmp_path / "tapewire.toml"
    example.write_text("[llm]" + readme.split("```toml\n[llm]")[1].split("```")[0])
    llm = load_settings(example).llm
    assert (llm.enabled, llm.base_url, llm.api_key) == (True, "http://127.0.0.1:11434/v1", None)


# ---------------------------------------------------------------- the writer on its own


@pytest.fixture(scope="module")
def acme_facts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """ACME's real fact sheet from one demo run (shared by the writer-level tests)."""
    tmp = tmp_path_factory.mktemp("facts")
    settings = load_settings(
        data_dir=tmp, db={"url": str(tmp / "t.db")}, http={"allow_private_urls": True}
    )
    briefs = run_world(settings)
    facts: dict[str, Any] = briefs["ACME"]["facts"]
    return facts


@pytest.fixture
def strict_http() -> Iterator[HttpClient]:
    """The client as shipped: private and loopback addresses refused."""
    with HttpClient(load_settings(http={"allow_private_urls": False, "retries": 0}).http) as http:
        yield http


def writer_for(http: HttpClient, server: ChatServer, **llm: Any) -> LlmWriter:
    return LlmWriter(http, LlmSettings(enabled=True, base_url=server.base_url, model=MODEL, **llm))


def test_a_configured_loopback_endpoint_is_reached_with_the_private_guard_on(
    strict_http: HttpClient, acme_facts: dict[str, Any]
) -> None:
    with serve_chat(grounded) as server:
        draft = writer_for(strict_http, server, api_key="sk-x").write(acme_facts)
        with pytest.raises(BadInputError, match="private or loopback"):
            strict_http.fetch(server.base_url + "/models")  # any other URL is still refused
    assert draft.writer == f"llm:{MODEL}" and draft.headline.startswith("Acme Robotics")
    assert verify_texts(draft.texts(), acme_facts).ok
    assert server.requests[0].headers["authorization"] == "Bearer sk-x"


def _content(answer: str) -> Responder:
    return fixed(completion(answer))


def _brief_with(acme: dict[str, Any], **changes: Any) -> str:
    return json.dumps({**grounded_brief(acme), **changes})


BAD_ANSWERS: dict[str, tuple[Any, str]] = {
    "a JSON array": (lambda _f: "[1, 2]", "not a brief: answer: Input should be an object"),
    "a wrong type": (lambda f: _brief_with(f, analysis="text"), "analysis: Input should be"),
    "a number for text": (lambda f: _brief_with(f, take=3), "take: Input should be a valid"),
    "an empty take": (lambda f: _brief_with(f, take=" \u200b "), "empty take"),
    "no analysis": (lambda f: _brief_with(f, analysis=[]), "analysis: List should have"),
    "over-long headline": (lambda f: _brief_with(f, headline="x" * 201), "headline: String"),
    "too many items": (lambda f: _brief_with(f, risks=["Risk."] * 9), "risks: List should"),
    "over-long answer": (lambda f: _brief_with(f, notes="y" * 20_000), "(at most 20,000)"),
    "an HTML tag": (
        lambda f: _brief_with(f, dek="<script>alert(1)</script>"),
        "markup in dek: '<s'",
    ),
    "an HTML entity": (lambda f: _brief_with(f, take="Buy &amp; hold."), "markup in take"),
    "a Markdown link": (lambda f: _brief_with(f, risks=["See [x](y)."]), "markup in risks.0"),
    "a URL": (lambda f: _brief_with(f, take="Read https://evil.test now."), "markup in take"),
    "an empty analysis": (lambda f: _brief_with(f, analysis=["\u200b"]), "empty analysis"),
    # Numbers the verifier's pattern would skip are refused rather than published unchecked.
    "a dollar price": (
        lambda f: _brief_with(f, take="Buyers defended $4900 again."),
        "cannot check (write plain figures): '$4900'",
    ),
    "a suffixed number": (
        lambda f: _brief_with(f, risks=["Volume hit 4.9bn shares, in Q3."]),
        "cannot check (write plain figures): '4.9bn', 'Q3'",
    ),
    "a bare decimal": (lambda f: _brief_with(f, take="It slipped .5% late."), "'.5%'"),
}


@pytest.mark.parametrize("case", list(BAD_ANSWERS))
def test_unusable_answers_are_clear_errors(
    strict_http: HttpClient, acme_facts: dict[str, Any], case: str
) -> None:
    make, message = BAD_ANSWERS[case]
    with serve_chat(_content(make(acme_facts))) as server, pytest.raises(LlmAnswerError) as caught:
        writer_for(strict_http, server).write(acme_facts)
    assert message in str(caught.value)
    assert caught.value.answer is not None  # shown back to the model on the retry


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(body=b"<html>gateway</html>"), "the endpoint's answer is not JSON"),
        (Reply(body=b'{"error": {"message": "overloaded"}}'), "has no choices"),
        (completion(None), "has no text"),
        (completion("   "), "has no text"),
    ],
)
def test_answers_without_a_message_are_clear_errors(
    strict_http: HttpClient, acme_facts: dict[str, Any], reply: Reply, message: str
) -> None:
    with serve_chat(fixed(reply)) as server, pytest.raises(LlmAnswerError, match=message):
        writer_for(strict_http, server).write(acme_facts)


def test_text_is_sanitized_and_still_verifies(
    strict_http: HttpClient, acme_facts: dict[str, Any]
) -> None:
    brief = grounded_brief(acme_facts)
    dirty = {
        **brief,
        "headline": "\u202e" + brief["headline"].replace(" ", " \u200b", 2) + "\x00\x07",
        "dek": "**" + brief["dek"] + "**\n\n",
        "analysis": ["- " + a.replace(" ", "\t", 1) for a in brief["analysis"]] + ["  \u2028 "],
        "watch": [f"{n}. {w}" for n, w in enumerate(brief["watch"], start=1)],
    }
    content = "<think>levels first</think>\n```json\n" + json.dumps(dirty) + "\n```"
    with serve_chat(_content(content)) as server:
        draft = writer_for(strict_http, server).write(acme_facts)
    assert draft.headline == brief["headline"]
    assert draft.dek == brief["dek"]
    assert draft.sections["analysis"] == brief["analysis"]  # the blank paragraph is dropped
    assert draft.sections["watch"] == brief["watch"]  # "1. " list marks are not claims
    assert verify_texts(draft.texts(), prompt_facts(acme_facts)).ok


def test_digits_in_names_and_source_quotes_are_not_unreadable(acme_facts: dict[str, Any]) -> None:
    facts = json.loads(json.dumps(acme_facts))
    facts["instrument"]["name"] = "Acme 3D Robotics"
    facts["news"][0]["title"] = "Acme beats Q3 estimates"
    texts = ["Acme 3D Robotics rallied.", "The lead item said “Acme beats Q3 estimates”."]
    assert find_unreadable_numbers(texts, facts) == []
    assert find_unreadable_numbers(["Acme beats Q3 estimates."], facts) == ["Q3"]


def test_a_server_that_refuses_response_format_is_asked_without_it(
    strict_http: HttpClient, acme_facts: dict[str, Any]
) -> None:
    def no_json_mode(request: ChatRequest, nth: int) -> Reply:
        if "response_format" in request.body:
            return Reply(status=400, body=b'{"error": "unknown field response_format"}')
        return grounded(request, nth)

    with serve_chat(no_json_mode) as server:
        writer = writer_for(strict_http, server)
        first = writer.write(acme_facts)
        writer.write(acme_facts)
    assert first.writer == f"llm:{MODEL}"
    sent = ["response_format" in r.body for r in server.requests]
    assert sent == [True, False, False]  # asked once with it, then remembered


def test_other_client_errors_are_not_retried_by_the_writer(
    strict_http: HttpClient, acme_facts: dict[str, Any]
) -> None:
    not_found = fixed(Reply(status=404, body=b"{}"))
    with serve_chat(not_found) as server, pytest.raises(BadInputError, match="HTTP 404"):
        writer_for(strict_http, server).write(acme_facts)
    assert len(server.requests) == 1


def test_a_failed_attempt_is_stored_nowhere(settings: Settings) -> None:
    """Only the published brief's verification is stored; rejected LLM text is not."""
    with serve_chat(hallucinating) as server:
        run_world(with_llm(settings, server.base_url))
    store = open_store(settings.database_url())
    try:
        with store.read() as s:
            rows = s.scalars(select(Verification)).all()
            assert len(rows) == len(SYMBOLS) + 1  # and the market brief's (writers.market)
            assert all(r.ok and r.failed == 0 for r in rows)
            assert not any(INVENTED_OUTLET in json.dumps(r.claims) for r in rows)
    finally:
        store.close()
