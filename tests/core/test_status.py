"""Account roll-ups and board order."""

from __future__ import annotations

from datetime import date, timedelta

from agent.config.schema import Config
from agent.core.accounts.status import StageChange, account_status, board
from agent.model import Channel, Direction, Stage, Touch
from tests.conftest import NOW, make_config


def touch(contact: str, days_ago: float, source: str = "", account: str = "Acme") -> Touch:
    return Touch(
        source=source or f"{contact}-{days_ago}",
        account=account,
        contact=contact,
        at=NOW - timedelta(days=days_ago),
        direction=Direction.OUTBOUND,
        channel=Channel.EMAIL,
        weight=1,
    )


def test_never_touched_account_is_due(config: Config) -> None:
    status = account_status(config, config.accounts[0], [], NOW)
    assert status.last_touch is None and status.days_since_touch is None
    assert status.due and status.touches == 0 and status.coverage_gap == 3


def test_last_touch_days_and_cadence(config: Config) -> None:
    rows = [touch("a@acme.com", 20), touch("b@acme.com", 3)]
    status = account_status(config, config.accounts[0], rows, NOW)
    assert status.last_touch == rows[1]
    assert status.days_since_touch == 3
    assert status.cadence_days == 14 and not status.due and status.days_overdue == 0


def test_overdue_by_tier_cadence(config: Config) -> None:
    status = account_status(config, config.accounts[0], [touch("a@acme.com", 20)], NOW)
    assert status.due and status.days_overdue == 6


def test_stage_cadence_wins_over_tier() -> None:
    config = make_config()
    hot = account_status(
        config, config.accounts[1], [touch("x@globex.io", 8, account="Globex")], NOW
    )
    assert hot.cadence_days == 7 and hot.due  # target tier says 30, hot says 7


def test_coverage_counts_people_in_window_and_sources_once(config: Config) -> None:
    rows = [
        touch("a@acme.com", 10, source="m1"),
        touch("b@acme.com", 10, source="m1"),  # one message to two people
        touch("c@acme.com", 200),  # outside the 90-day window
    ]
    status = account_status(config, config.accounts[0], rows, NOW)
    assert status.touches == 2 and status.contacts_touched == 3
    assert status.recent_touches == 1 and status.recent_people == 2
    assert status.coverage_gap == 1


def test_future_touches_are_ignored(config: Config) -> None:
    status = account_status(config, config.accounts[0], [touch("a@acme.com", -2)], NOW)
    assert status.last_touch is None


def test_days_are_counted_in_the_configured_time_zone() -> None:
    config = make_config(timezone="Pacific/Auckland")  # NOW is 04:00 next day there
    status = account_status(config, config.accounts[0], [touch("a@acme.com", 0.5)], NOW)
    assert status.days_since_touch == 1


def test_stage_change_from_store_overrides_config(config: Config) -> None:
    change = StageChange(Stage.LOST, date(2026, 10, 1))
    status = account_status(config, config.accounts[0], [], NOW, change)
    assert (status.stage, status.stage_since, status.cadence_days) == (
        Stage.LOST,
        date(2026, 10, 1),
        45,
    )


def test_board_puts_cold_dream_clients_first() -> None:
    config = make_config(
        accounts=[
            {"name": "Hot small", "domains": ["hot.com"], "tier": "other", "stage": "hot"},
            {"name": "Dream fresh", "domains": ["fresh.com"], "tier": "dream"},
            {"name": "Dream cold", "domains": ["cold.com"], "tier": "dream"},
            {"name": "Dream never", "domains": ["never.com"], "tier": "dream"},
            {"name": "Target cold", "domains": ["t.com"], "tier": "target"},
        ]
    )
    rows = [
        touch("x@hot.com", 30, account="Hot small"),
        touch("x@fresh.com", 1, account="Dream fresh"),
        touch("x@cold.com", 40, account="Dream cold"),
        touch("x@t.com", 100, account="Target cold"),
    ]
    order = [r.name for r in board(config, rows, NOW)]
    assert order == ["Dream never", "Dream cold", "Target cold", "Hot small", "Dream fresh"]
