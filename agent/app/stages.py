"""Finding an account by name and recording its stage: the rules `nurture account` and the
web app share. A stage set here wins over config.yaml and the CRM file (table ``stages``)."""

from __future__ import annotations

from datetime import date, datetime

from agent.config.schema import Account, Config
from agent.errors import UnknownName, UserError, did_you_mean
from agent.model import Stage
from agent.model.tables import STAGES, StageRecord
from agent.store.db import Store


def find_account(config: Config, name: str) -> Account:
    """The account named exactly (any case), else the only one whose name contains it."""
    wanted = name.strip().lower()
    exact = [a for a in config.accounts if a.name.lower() == wanted]
    if exact:
        return exact[0]
    partial = [a for a in config.accounts if wanted and wanted in a.name.lower()]
    if len(partial) == 1:
        return partial[0]
    names = [a.name for a in config.accounts]
    if partial:
        raise UnknownName(
            f"{name!r} matches several accounts: {', '.join(a.name for a in partial)}",
            "give more of the name",
        )
    hint = did_you_mean(name, names) or "see the names with `nurture board`"
    raise UnknownName(f"no account named {name!r}", hint)


def set_stage(
    config: Config,
    store: Store,
    account: Account,
    stage: Stage,
    *,
    since: date | None,
    now: datetime,
) -> date:
    """Record ``account``'s stage since ``since`` (default: today in the rep's zone) and
    commit; returns the day recorded. A day in the future is refused."""
    today = now.astimezone(config.tz).date()
    day = since or today
    if day > today:
        raise UserError(
            f"{day.isoformat()} is in the future", "give the day the stage changed, or today"
        )
    store.put(STAGES, account.name, StageRecord(stage=stage.value, since=day.isoformat()))
    store.commit()
    return day
