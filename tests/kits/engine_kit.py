"""Plain-data builders for engine tests: accounts, touches, drafts, plans."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from agent.config.schema import Config
from agent.core.accounts.state import AccountState, account_state
from agent.core.accounts.status import StageChange
from agent.core.history import History, PastDraft, history_of
from agent.core.planner import Plan, make_plan
from agent.model import Action, ActionKind, Channel, Direction, PlayId, Signal, Stage, Touch
from tests.conftest import NOW, make_config

TODAY = NOW.date()  # make_config uses UTC


def account(name: str = "Acme", **fields: Any) -> dict[str, Any]:
    domain = name.lower().replace(" ", "") + ".com"
    return {"name": name, "domains": [domain], "tier": "dream", "stage": "cold", **fields}


def person(email: str, name: str = "", role: str = "") -> dict[str, str]:
    return {"email": email, "name": name, "role": role}


def config(*accounts: dict[str, Any], **overrides: Any) -> Config:
    return make_config(accounts=list(accounts) or [account()], **overrides)


def touch(
    contact: str,
    days_ago: float,
    *,
    account: str = "Acme",
    inbound: bool = False,
    meeting: bool = False,
    source: str = "",
    subject: str = "",
    snippet: str = "",
    thread: str = "",
    now: datetime = NOW,
) -> Touch:
    return Touch(
        source=source or f"{contact}-{days_ago}-{'in' if inbound else 'out'}",
        account=account,
        contact=contact,
        at=now - timedelta(days=days_ago),
        direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
        channel=Channel.MEETING if meeting else Channel.EMAIL,
        weight=3 if meeting else 1,
        subject=subject,
        snippet=snippet,
        thread=thread,
    )


def away(contact: str, days_ago: float, until: date | None, account: str = "Acme") -> Signal:
    return Signal(
        kind="out_of_office",
        account=account,
        contact=contact,
        at=NOW - timedelta(days=days_ago),
        until=until,
    )


def past(
    contact: str,
    play: PlayId | str,
    days_ago: float,
    *,
    account: str = "Acme",
    status: str = "pending",
    url: str = "",
) -> PastDraft:
    return PastDraft(
        account=account,
        contact=contact,
        play=str(play),
        content_url=url,
        status=status,
        created_at=NOW - timedelta(days=days_ago),
    )


def state(
    cfg: Config,
    touches: Sequence[Touch] = (),
    signals: Sequence[Signal] = (),
    *,
    index: int = 0,
    stage: StageChange | None = None,
    now: datetime = NOW,
) -> AccountState:
    acc = cfg.accounts[index]
    mine = [t for t in touches if t.account == acc.name]
    return account_state(cfg, acc, mine, list(signals), now, stage=stage)


def plan(
    cfg: Config,
    touches: Sequence[Touch] = (),
    *,
    signals: Sequence[Signal] = (),
    drafts: Sequence[PastDraft] = (),
    stages: dict[str, StageChange] | None = None,
    now: datetime = NOW,
) -> Plan:
    history: History = history_of(drafts)
    return make_plan(cfg, touches, signals, now, stages=stages, history=history)


def drafts(result: Plan) -> list[Action]:
    return result.of_kind(ActionKind.DRAFT)


def plays_by_contact(result: Plan) -> dict[str | None, PlayId | None]:
    return {a.contact: a.play for a in drafts(result)}


def lost_since(days_ago: int) -> StageChange:
    return StageChange(Stage.LOST, TODAY - timedelta(days=days_ago))
