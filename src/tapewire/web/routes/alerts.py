"""Alerts API (``/api/alerts``, needs a key), the live stream of a key's alerts, a rule's Atom feed
and the page of one's rules and deliveries. Keys go in ``Authorization: Bearer <key>``; secrets
never appear in answers except a new webhook rule's signing secret, once."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs

from anyio import to_thread
from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, StreamingResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from tapewire.alerts import queries as aq
from tapewire.config import Settings
from tapewire.publish.atom import AtomEntry, render_atom
from tapewire.store import Store
from tapewire.web.deps import get_settings, get_store, get_templates, site_url

# Every key-guarded call may answer 401 (no or unknown key) or 403 (scope, revoked), and the
# rule calls 404 (not a rule of this key): documented once for the whole router.
RuleId = Annotated[int, Path(ge=1, le=2**63 - 1)]  # a stored id (BIGINT): larger is a 422
router = APIRouter(
    tags=["alerts"],
    responses={
        401: {"description": "No API key, or an unknown one"},
        403: {"description": "The key lacks the scope, or is revoked"},
        404: {"description": "No such rule of this key (or feed)"},
    },
)
RATE_LIMITED: dict[int | str, dict[str, Any]] = {
    429: {
        "description": "Too many write calls by this key (`alerts.api_writes_per_minute`, 60 a "
        "minute by default); `Retry-After` says how many seconds to wait"
    }
}
StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
NO_STORE = {"Cache-Control": "no-store"}


class RuleIn(BaseModel):
    """A rule to create (see README "Alerts" for triggers and their params)."""

    trigger: Literal[
        "brief", "pulse_cross", "direction_change", "level_cross", "move", "story_heat", "keyword"
    ]
    channel: Literal["webhook", "email", "stream", "atom"]
    target: str = Field("", max_length=2048, description="Webhook URL or email address.")
    scope: str = Field("all", description="all, watchlist, instrument:SYM, tag:NAME, theme:NAME")
    name: str = Field("", max_length=255)
    params: dict[str, Any] = Field(default_factory=dict)
    frequency: Literal["once", "once_per_bar", "once_per_story", "cooldown"] = "once_per_bar"
    cooldown_s: int | None = Field(None, gt=0)
    expires_at: datetime | None = None
    template: str | None = Field(None, max_length=2000)
    preset: Literal["json", "slack", "discord", "teams", "ntfy"] = "json"


def _now() -> datetime:
    return datetime.now(UTC)


def _bearer(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _key(store: Store, text: str | None, scope: str) -> aq.KeyView:
    try:
        return aq.check_key(store, text, scope=scope, now=_now())
    except aq.AuthError as exc:
        status = 403 if "scope" in str(exc) or "revoked" in str(exc) else 401
        raise HTTPException(status, str(exc)) from None


def reader(store: StoreDep, authorization: Annotated[str | None, Header()] = None) -> aq.KeyView:
    return _key(store, _bearer(authorization), "read")


def writer(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    authorization: Annotated[str | None, Header()] = None,
) -> aq.KeyView:
    """A key with ``alerts:write`` and a token left in its bucket (else 429, Retry-After)."""
    key = _key(store, _bearer(authorization), "alerts:write")
    limiter = getattr(request.app.state, "alerts_limiter", None)
    if limiter is None:
        limiter = request.app.state.alerts_limiter = aq.KeyRateLimiter(
            settings.alerts.api_writes_per_minute
        )
    wait = limiter.take(key.id)
    if wait > 0:
        raise HTTPException(
            429,
            f"too many write calls by this key: at most {settings.alerts.api_writes_per_minute} "
            "a minute",
            headers={"Retry-After": aq.retry_after(wait)},
        )
    return key


def _owner(key: aq.KeyView) -> int | None:
    return None if key.allows("admin") else key.id  # admin sees every rule


def _rule_doc(
    request: Request, rule: aq.RuleView, secret: str | None = None, *, created: bool = False
) -> dict[str, Any]:
    """The rule's document; its target in full only when just ``created`` (else masked)."""
    doc = rule.public(full=created)
    if rule.channel == "atom":
        token = aq.feed_token(aq.rule_secret(request.app.state.store, rule.id, api_key_id=None))
        doc["feed_url"] = f"{site_url(request)}/api/alerts/feeds/{rule.id}/{token}.atom"
    if secret is not None:
        doc["signing_secret"] = secret
    return doc


@router.get("/api/alerts/rules", summary="Your rules")
def list_rules(
    request: Request, store: StoreDep, key: Annotated[aq.KeyView, Depends(reader)]
) -> Response:
    rules = aq.list_rules(store, api_key_id=_owner(key))
    return _json({"rules": [_rule_doc(request, r) for r in rules]})


@router.post(
    "/api/alerts/rules",
    status_code=201,
    summary="Create a rule (checked first)",
    responses=RATE_LIMITED,
)
def create_rule(
    request: Request,
    body: RuleIn,
    store: StoreDep,
    settings: SettingsDep,
    key: Annotated[aq.KeyView, Depends(writer)],
) -> Response:
    spec = aq.RuleSpec(**body.model_dump())
    try:
        rule = aq.add_rule(store, settings, spec, api_key_id=key.id, now=_now())
    except aq.RuleError as exc:
        raise HTTPException(422, str(exc)) from None
    secret = (
        aq.rule_secret(store, rule.id, api_key_id=key.id) if rule.channel == "webhook" else None
    )
    return _json(_rule_doc(request, rule, secret, created=True), status=201)


@router.get("/api/alerts/rules/{rule_id}", summary="One of your rules")
def get_rule(
    request: Request, rule_id: RuleId, store: StoreDep, key: Annotated[aq.KeyView, Depends(reader)]
) -> Response:
    rule = aq.get_rule(store, rule_id, api_key_id=_owner(key))
    if rule is None:
        raise HTTPException(404, f"no rule {rule_id} of this key")
    return _json(_rule_doc(request, rule))


@router.delete(
    "/api/alerts/rules/{rule_id}", status_code=204, summary="Delete a rule", responses=RATE_LIMITED
)
def delete_rule(
    rule_id: RuleId, store: StoreDep, key: Annotated[aq.KeyView, Depends(writer)]
) -> Response:
    if not aq.remove_rule(store, rule_id, api_key_id=_owner(key)):
        raise HTTPException(404, f"no rule {rule_id} of this key")
    return Response(status_code=204, headers=NO_STORE)


@router.post(
    "/api/alerts/rules/{rule_id}/test",
    status_code=202,
    summary="Send a test alert",
    responses=RATE_LIMITED,
)
def test_rule(
    rule_id: RuleId, store: StoreDep, key: Annotated[aq.KeyView, Depends(writer)]
) -> Response:
    if aq.get_rule(store, rule_id, api_key_id=_owner(key)) is None:
        raise HTTPException(404, f"no rule {rule_id} of this key")
    alert_id = aq.queue_test(store, rule_id, now=_now())
    return _json({"alert_id": alert_id, "status": "queued"}, status=202)


@router.get("/api/alerts/deliveries", summary="Your delivery log (attempts, status, errors)")
def deliveries(
    store: StoreDep,
    key: Annotated[aq.KeyView, Depends(reader)],
    rule: Annotated[int | None, Query(description="Only this rule")] = None,
    status: Annotated[Literal["pending", "delivering", "delivered", "dead"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    mine = [r.id for r in aq.list_rules(store, api_key_id=_owner(key))]
    ids = [rule] if rule is not None and rule in mine else mine if rule is None else []
    rows = aq.deliveries(store, rule_ids=ids, status=status, limit=limit)
    return _json({"deliveries": [d.public() for d in rows]})


@router.get("/api/alerts/stream", summary="Server-Sent Events: `alert` events of your rules")
async def alert_stream(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    authorization: Annotated[str | None, Header()] = None,
    key: Annotated[str | None, Query(description="The key, for EventSource (no headers)")] = None,
    since: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int | None, Query(ge=1)] = None,
) -> StreamingResponse:
    owner = _key(store, _bearer(authorization) or key, "read")
    rule_ids = [r.id for r in aq.list_rules(store, api_key_id=_owner(owner))]
    return StreamingResponse(
        _alert_events(request, store, settings, rule_ids, since, limit),
        media_type="text/event-stream",
        headers=NO_STORE,
    )


async def _alert_events(
    request: Request,
    store: Store,
    settings: Settings,
    rule_ids: list[int],
    since: int,
    limit: int | None,
) -> Any:
    sent, last = 0, since
    yield f"retry: {int(settings.web.stream_poll_s * 1000)}\n\n"
    while not await request.is_disconnected():
        views = await to_thread.run_sync(aq.alerts_after, store, rule_ids, last)
        for v in views:
            data = json.dumps({"id": v.id, "rule_id": v.rule_id, **v.data}, default=str)
            yield f"event: alert\nid: a{v.id}\ndata: {data}\n\n"
            last, sent = v.id, sent + 1
            if limit is not None and sent >= limit:
                return
        await asyncio.sleep(min(settings.web.stream_poll_s, 0.5))


@router.get("/api/alerts/feeds/{rule_id}/{token}.atom", summary="A rule's alerts as Atom")
def alert_feed(request: Request, rule_id: RuleId, token: str, store: StoreDep) -> Response:
    secret = aq.rule_secret(store, rule_id, api_key_id=None)
    rule = aq.get_rule(store, rule_id)
    if rule is None or secret is None or token != aq.feed_token(secret):
        raise HTTPException(404, "no such feed")
    base = site_url(request)
    views = aq.alerts_after(store, [rule_id], 0, limit=50, newest=True)
    entries = [
        AtomEntry(
            slug=f"alert-{v.id}",
            title=f"{v.symbol or ''} {rule.name}".strip(),
            summary=str(v.data.get("headline", "")),
            body=" ".join(f"{k}: {val}" for k, val in v.data.items() if k != "idempotency_key"),
            url=str(v.data.get("url") or f"{base}/"),
            published=v.created_at,
            updated=v.created_at,
            categories=(v.event,),
        )
        for v in reversed(views)
    ]
    body = render_atom(
        entries,
        feed_id=f"tag:tapewire,2026:alerts/{rule_id}",
        title=f"tapewire alerts: {rule.name}",
        self_url=str(request.url),
        site_url=base,
        updated=max((v.created_at for v in views), default=rule.created_at),
    )
    return Response(body, media_type="application/atom+xml", headers=NO_STORE)


@router.get("/alerts", response_class=HTMLResponse, include_in_schema=False)
def alerts_page(
    request: Request, templates: Annotated[Jinja2Templates, Depends(get_templates)]
) -> HTMLResponse:
    return templates.TemplateResponse(request, "alerts.html", {"key_error": None, "rules": None})


@router.post("/alerts", response_class=HTMLResponse, include_in_schema=False)
async def alerts_page_with_key(
    request: Request,
    store: StoreDep,
    templates: Annotated[Jinja2Templates, Depends(get_templates)],
) -> HTMLResponse:
    """The key comes in the form body (never the URL, so it stays out of logs and history)."""
    body = await request.body()
    key = parse_qs(body[:4096].decode("utf-8", "replace")).get("key", [""])[0]
    try:
        owner = await to_thread.run_sync(lambda: aq.check_key(store, key, scope="read", now=_now()))
    except aq.AuthError as exc:
        failed = {"key_error": str(exc), "rules": None}
        return templates.TemplateResponse(
            request, "alerts.html", failed, status_code=401, headers=NO_STORE
        )
    rules = aq.list_rules(store, api_key_id=_owner(owner))
    log = aq.deliveries(store, rule_ids=[r.id for r in rules], limit=50)
    context: dict[str, Any] = {
        "key_error": None,
        "rules": rules,
        "deliveries": log,
        "key_name": owner.name,
    }
    return templates.TemplateResponse(request, "alerts.html", context, headers=NO_STORE)


def _json(data: Any, *, status: int = 200) -> Response:
    body = json.dumps(data, separators=(",", ":"), default=str)
    return Response(body, status_code=status, media_type="application/json", headers=NO_STORE)
