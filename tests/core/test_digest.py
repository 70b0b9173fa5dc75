"""The weekly digest's numbers (pure) and how they render (text and Gmail-safe HTML)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from agent.app.digest import draft_records
from agent.config.schema import Config
from agent.core.accounts.status import StageChange
from agent.core.blocks.reconcile import BlockRecord, BlockStatus
from agent.core.digest.build import SECTIONS, Digest, Snapshot, build_digest, week_of
from agent.errors import UserError
from agent.model import ActionKind, Interval, PatternKind, Stage, Touch
from agent.render.jinja import bundled_templates, render_digest
from tests.conftest import NOW
from tests.kits.engine_kit import account, config, person, plan, touch

# NOW is Friday 20 Nov 2026, 15:00 UTC: ISO week 2026-W47, Monday 16 Nov.
MONDAY = date(2026, 11, 16)


def digest_of(cfg: Config, touches: list[Touch] | tuple[Touch, ...] = (), **snap: Any) -> Digest:
    return build_digest(cfg, Snapshot(touches=tuple(touches), **snap), NOW)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def sourced(contact: str, when: datetime, source: str, acc: str = "Acme") -> Touch:
    return touch(contact, (NOW - when).total_seconds() / 86400, account=acc, source=source)


# --- numbers -----------------------------------------------------------------------------


def test_week_bounds_are_the_iso_week_in_the_reps_time_zone() -> None:
    assert week_of(config(), NOW) == ("2026-W47", MONDAY)
    # Monday 03:00 UTC is still Sunday evening in Chicago: last week there.
    early = datetime(2026, 11, 16, 3, 0, tzinfo=UTC)
    assert week_of(config(), early)[0] == "2026-W47"
    assert week_of(config(timezone="America/Chicago"), early)[0] == "2026-W46"


def test_touches_this_week_against_last_week() -> None:
    cfg = config(account("Acme"), account("Globex", tier="target"))
    touches = [
        sourced("a@acme.com", at(MONDAY + timedelta(days=1)), "m1"),
        sourced("b@acme.com", at(MONDAY + timedelta(days=1)), "m1"),  # same mail: once
        sourced("a@acme.com", at(MONDAY + timedelta(days=3)), "m2"),
        sourced("a@acme.com", at(MONDAY - timedelta(days=2)), "m0"),
        sourced("g@globex.com", at(MONDAY + timedelta(days=2)), "g1", "Globex"),
        sourced("a@acme.com", NOW + timedelta(hours=1), "future"),  # not yet happened
    ]
    d = digest_of(cfg, touches)
    assert (d.week, d.start, d.end) == ("2026-W47", MONDAY, date(2026, 11, 22))
    assert (d.dream_this_week, d.dream_last_week) == (2, 1)
    assert (d.other_this_week, d.other_last_week) == (1, 0)
    assert d.dream_change == 1 and d.dream_share == 67
    assert [(m.account, m.touches, m.people) for m in d.moved] == [("Acme", 2, 2)]


def test_week_buckets_follow_the_reps_time_zone() -> None:
    cfg = config(timezone="America/Chicago")
    sunday_night = datetime(2026, 11, 16, 3, 0, tzinfo=UTC)  # Sun 15 Nov 21:00 in Chicago
    d = digest_of(cfg, [sourced("a@acme.com", sunday_night, "late")])
    assert (d.dream_this_week, d.dream_last_week) == (0, 1)


def test_twelve_week_trend_buckets() -> None:
    cfg = config(account("Acme"), account("Globex", tier="other"))
    touches = [
        sourced("a@acme.com", at(MONDAY - timedelta(weeks=11)), "oldest"),  # first bar
        sourced("a@acme.com", at(MONDAY - timedelta(weeks=12)), "too-old"),  # before the chart
        sourced("a@acme.com", at(MONDAY - timedelta(weeks=3)), "w44a"),
        sourced("a@acme.com", at(MONDAY - timedelta(weeks=3), 15), "w44b"),
        sourced("g@globex.com", at(MONDAY - timedelta(weeks=3)), "w44g", "Globex"),
        sourced("a@acme.com", at(MONDAY), "now"),
    ]
    d = digest_of(cfg, touches)
    assert len(d.trend) == 12
    assert [w.week for w in (d.trend[0], d.trend[-1])] == ["2026-W36", "2026-W47"]
    assert [w.start for w in d.trend] == [MONDAY - timedelta(weeks=11 - i) for i in range(12)]
    by_week = {w.week: (w.dream, w.other) for w in d.trend}
    assert by_week["2026-W36"] == (1, 0)
    assert by_week["2026-W44"] == (2, 1)
    assert by_week["2026-W47"] == (1, 0)
    assert sum(w.total for w in d.trend) == 5 and d.trend_max == 3
    assert len(digest_of(config(digest={"trend_weeks": 4})).trend) == 4


def test_going_cold_most_overdue_first_and_never_touched_apart() -> None:
    cfg = config(
        account("Acme"), account("Bolt"), account("Crane"), account("Dune"), account("Echo")
    )
    touches = [
        touch("a@acme.com", 20, account="Acme"),  # 6 days over a 14-day rhythm
        touch("b@bolt.com", 60, account="Bolt"),  # 46 over
        touch("c@crane.com", 3, account="Crane"),  # fine
        touch("d@dune.com", 14, account="Dune"),  # due today
    ]
    d = digest_of(cfg, touches)
    assert [(r.account, r.days_overdue) for r in d.going_cold] == [
        ("Bolt", 46),
        ("Acme", 6),
        ("Dune", 0),
    ]
    assert d.going_cold[0].days_since_touch == 60 and d.going_cold[0].cadence_days == 14
    assert [r.account for r in d.never_touched] == ["Echo"]


def test_coverage_per_account_and_its_gaps() -> None:
    cfg = config(
        account("Acme", contacts=[person("cfo@acme.com", "Cy", "CFO")]),
        account("Bolt", tier="target"),
        coverage_target=2,
    )
    touches = [
        touch("a@acme.com", 5, account="Acme"),
        touch("b@bolt.com", 5, account="Bolt"),
        touch("c@bolt.com", 6, account="Bolt"),
        touch("old@acme.com", 200, account="Acme"),  # outside the coverage window
    ]
    d = digest_of(cfg, touches)
    rows = {r.account: r for r in d.coverage}
    assert [r.account for r in d.coverage] == ["Acme", "Bolt"]  # dream clients first
    assert (rows["Acme"].people, rows["Acme"].target, rows["Acme"].gap) == (1, 2, 1)
    assert rows["Acme"].roles_missing == ("CFO",) and rows["Acme"].share == 50
    assert (rows["Bolt"].gap, rows["Bolt"].share) == (0, 100)


def draft_doc(status: str, created: datetime, changed: datetime | None = None, **more: Any):
    doc: dict[str, Any] = {
        "account": "Acme",
        "contact": "a@acme.com",
        "play": "share_content",
        "subject": f"a {status} draft",
        "status": status,
        "created_at": created.isoformat(),
        **more,
    }
    if changed is not None:
        doc["status_at"] = changed.isoformat()
    return doc


def test_draft_counts_from_the_drafts_table() -> None:
    this_week, last_week = at(MONDAY + timedelta(days=1)), at(MONDAY - timedelta(days=3))
    docs = {
        "k1": draft_doc("created", this_week, provider_id="r-1"),
        "k2": draft_doc("created", last_week),  # still waiting
        "k3": draft_doc("sent", last_week, this_week),
        "k4": draft_doc("sent", last_week, last_week),  # sent last week: not this week's
        "k5": draft_doc("rejected", this_week, this_week),
        "k6": draft_doc("deleted", this_week),  # no status time: created_at stands in
        "k7": draft_doc("expired", last_week, this_week),
        "broken": {"status": "sent"},  # no account: skipped, never fatal
    }
    records = draft_records(docs, "google")
    assert len(records) == 7
    d = digest_of(config(), drafts=tuple(records))
    counts = d.drafts
    assert (counts.created, counts.sent, counts.rejected, counts.expired) == (3, 1, 2, 1)
    assert [w.subject for w in counts.waiting] == ["a created draft"] * 2
    assert counts.waiting[0].created_at < counts.waiting[1].created_at  # oldest first
    assert counts.waiting[1].link == "https://mail.google.com/mail/u/0/#drafts?compose=r-1"
    local = draft_records({"k": draft_doc("created", this_week, provider_id="/o/x.eml")}, "local")
    assert local[0].link == "/o/x.eml"


def test_block_hours_from_block_weeks_and_next_weeks_blocks() -> None:
    weeks = {
        "2026-W47": {"blocks": 5, "planned": 10.0, "kept": 6.0, "moved": 2.0, "deleted": 2.0},
        "2026-W46": {"blocks": 5, "planned": 10.0, "kept": 10.0, "moved": 0.0, "deleted": 0.0},
    }

    def block(day: date, status: BlockStatus = BlockStatus.PLACED) -> BlockRecord:
        start = at(day, 9)
        return BlockRecord(
            id=f"b{day}",
            day=day,
            hours=2.0,
            planned=Interval(start, start + timedelta(hours=2)),
            status=status,
            accounts=("Acme",),
        )

    blocks = (
        block(MONDAY + timedelta(days=4)),  # this week
        block(MONDAY + timedelta(days=8)),
        block(MONDAY + timedelta(days=7)),
        block(MONDAY + timedelta(days=9), BlockStatus.DELETED),  # the rep deleted it
        block(MONDAY + timedelta(days=14)),  # the week after
    )
    d = digest_of(config(), block_weeks=weeks, blocks=blocks)
    b = d.blocks_this_week
    assert (b.planned, b.kept, b.moved, b.deleted, b.kept_share) == (10.0, 6.0, 2.0, 2.0, 60)
    assert d.blocks_last_week.kept_share == 100
    assert [r.day for r in d.next_blocks] == [MONDAY + timedelta(days=7 + i) for i in (0, 1)]
    assert d.next_block_hours == 4.0 and d.next_blocks[0].accounts == ("Acme",)
    assert digest_of(config()).blocks_this_week.planned == 0.0  # no record: zeros


def test_stalled_lost_signals_patterns_and_replies() -> None:
    cfg = config(
        account("Acme", stage="stalled"),
        account("Bolt", stage="lost"),
        account("Crane", tier="target", stage="hot"),
        account("Dune"),
    )
    stages = {
        "Acme": StageChange(Stage.STALLED, NOW.date() - timedelta(days=40)),
        "Bolt": StageChange(Stage.LOST, NOW.date() - timedelta(days=100)),
    }
    touches = [
        touch("a@acme.com", 50, account="Acme", inbound=True),
        touch("b@bolt.com", 110, account="Bolt"),
        touch("x@bolt.com", 4, account="Bolt", inbound=True, subject="Our renewal is due"),
        touch("c@crane.com", 40, account="Crane", inbound=True),
        touch("c@crane.com", 39, account="Crane"),
        *(touch("d@dune.com", d, account="Dune") for d in (3, 10, 20, 30)),
    ]
    d = digest_of(cfg, touches, stages=stages)
    assert [(r.account, r.marked) for r in d.stalled] == [("Acme", True), ("Crane", False)]
    assert "40 days" in d.stalled[0].detail
    assert [(r.account, r.gone_dark, r.days_since_ours) for r in d.lost] == [("Bolt", True, 110)]
    assert [(r.account, r.contact) for r in d.signals] == [("Bolt", "x@bolt.com")]
    assert "renewal" in d.signals[0].keywords
    kinds = {(r.account, r.kind) for r in d.patterns}
    assert ("Dune", PatternKind.ONE_WAY) in kinds
    assert not {k for _, k in kinds} & {PatternKind.STALLED_HANGING}  # in its own section
    assert [(r.account, r.contact, r.days) for r in d.replies] == [("Bolt", "x@bolt.com", 4)]


# --- rendering ---------------------------------------------------------------------------


def rich_digest() -> Digest:
    cfg = config(
        account("Acme <b>&</b> Co", stage="lost"),
        account("Bolt", stage="stalled"),
        account("Crane"),
    )
    touches = [
        touch("a@acmebco.com", 2, account="Acme <b>&</b> Co", inbound=True, subject="renewal"),
        touch("b@bolt.com", 40, account="Bolt"),
        touch("b@bolt.com", 9, account="Bolt", inbound=True),
        touch("c@crane.com", 30, account="Crane"),
    ]
    monday = MONDAY
    drafts = draft_records(
        {
            "g": draft_doc("created", at(monday), link="https://mail.google.com/mail/u/0/#d=1"),
            "l": draft_doc("created", at(monday), link="/outbox/draft.eml"),
        },
        "local",
    )
    return digest_of(cfg, touches, drafts=tuple(drafts))


def rendered(d: Digest | None = None, overrides: Path | None = None):
    return render_digest(
        d or rich_digest(),
        subject="Your week",
        rep="rep@seller.com",
        provider="local",
        overrides=overrides,
    )


HEADINGS = {
    "touches": "DREAM-CLIENT TOUCHES THIS WEEK",
    "trend": "TWELVE-WEEK TREND",
    "time": "DREAM-CLIENT TIME VS THE REST",
    "drafts": "DRAFTS",
    "cold": "GOING COLD",
    "forecast": "GOING COLD IN THE NEXT 14 DAYS",
    "never": "NEVER TOUCHED",
    "todo": "TO DO: DUE, WITH NOTHING PLANNED",
    "coverage": "COVERAGE",
    "signals": "DISSATISFACTION SIGNALS",
    "lost": "LOST ACCOUNTS AND THEIR RE-NURTURE",
    "replies": "REPLIES YOU OWE",
    "stalled": "STALLED: BRING TO A DECISION",
    "patterns": "HABITS TO FIX",
    "blocks": "NEXT WEEK'S NURTURE BLOCKS",
}


@pytest.mark.parametrize("empty", [False, True])
def test_text_alternative_has_every_section(empty: bool) -> None:
    d = digest_of(make_empty_config()) if empty else rich_digest()
    text = rendered(d).text
    assert set(HEADINGS) == set(SECTIONS)
    for heading in HEADINGS.values():
        assert heading in text
    if not empty:
        assert "Acme <b>&</b> Co" in text  # plain text is not HTML-escaped
        assert "Crane *: 16 days over" in text


def make_empty_config() -> Config:
    return config(account("Acme"))


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_html_is_gmail_safe_with_every_section() -> None:
    html = rendered().html
    parser = _Tags()
    parser.feed(html)
    names = [t for t, _ in parser.tags]
    assert "script" not in names and "style" not in names and "link" not in names
    assert "img" not in names and "iframe" not in names
    for tag, attrs in parser.tags:
        assert "class" not in attrs, tag  # inline styles only
        assert not any(a.startswith("on") for a in attrs), tag  # no event handlers
        assert "src" not in attrs, tag  # no external assets
        if "href" in attrs:
            assert str(attrs["href"]).startswith("https://mail.google.com/"), attrs
    sections = [a["data-section"] for _, a in parser.tags if "data-section" in a]
    assert sections == list(SECTIONS)
    assert "javascript:" not in html.lower()
    assert 'href="https://mail.google.com/mail/u/0/#d=1"' in html  # the rep's own draft
    assert "/outbox/draft.eml" in html and 'href="/outbox' not in html


def test_html_escapes_what_comes_from_mail_and_config() -> None:
    html = rendered().html
    assert "Acme <b>&</b> Co" not in html
    assert "Acme &lt;b&gt;&amp;&lt;/b&gt; Co" in html


def test_charts_are_css_bars() -> None:
    html = rendered().html
    for chart in ("trend", "time-touches", "coverage", "cold"):
        assert f'data-chart="{chart}"' in html
    heights = [int(h) for h in re.findall(r'data-bar="1" style="height:(\d+)px', html)]
    assert heights and all(h >= 2 for h in heights)


def test_a_big_book_stays_under_gmails_clipping_size() -> None:
    names = [f"Account {i:02d}" for i in range(40)]
    cfg = config(*(account(n, contacts=[person(f"p0@{n[-2:]}.com", "Pat", "CEO")]) for n in names))
    touches = [
        touch(f"p{j}@account{n[-2:]}.com", 3 + i + 7 * j, account=n)
        for i, n in enumerate(names)
        for j in range(3)
    ]
    link = "https://mail.google.com/mail/u/0/#drafts?compose=r-{}"
    docs = {f"k{i}": draft_doc("created", at(MONDAY), link=link.format(i)) for i in range(30)}
    d = digest_of(cfg, touches, drafts=tuple(draft_records(docs, "google")))
    assert len(d.coverage) == 40 and len(d.drafts.waiting) == 30
    size = len(rendered(d).html.encode())
    assert size < 90_000, size  # Gmail clips a message past 102 KB


def test_a_template_next_to_the_config_overrides_the_bundled_one(tmp_path: Path) -> None:
    (tmp_path / "digest.txt.j2").write_text("Week {{ digest.week }} for {{ rep }}\n")
    out = rendered(overrides=tmp_path)
    assert out.text == "Week 2026-W47 for rep@seller.com\n"
    assert 'data-section="trend"' in out.html  # the HTML one was not overridden


def test_a_broken_override_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "digest.txt.j2").write_text("{{ digest.no_such_thing }}\n")
    with pytest.raises(UserError, match=r"digest\.txt\.j2"):
        rendered(overrides=tmp_path)
    (tmp_path / "digest.txt.j2").write_text("{% for %}\n")
    with pytest.raises(UserError, match=r"digest\.txt\.j2:1"):
        rendered(overrides=tmp_path)


def test_the_sandbox_keeps_templates_away_from_python_internals(tmp_path: Path) -> None:
    (tmp_path / "digest.txt.j2").write_text("{{ digest.__class__.__mro__ }}\n")
    with pytest.raises(UserError):
        rendered(overrides=tmp_path)


def test_templates_are_bundled_for_the_wheel() -> None:
    folder = bundled_templates()
    assert (folder / "digest.html.j2").is_file() and (folder / "digest.txt.j2").is_file()
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text()
    assert '"templates" = "agent/templates"' in pyproject


def test_the_digest_lists_due_accounts_with_nothing_planned_and_the_fix() -> None:
    cfg = config(account("Nobody Inc"))
    no_play = plan(cfg).of_kind(ActionKind.NO_PLAY)
    d = digest_of(cfg, no_play=tuple(no_play))
    assert [(r.account, r.tier) for r in d.todo] == [("Nobody Inc", "dream")]
    out = rendered(d)
    for text in (out.text, out.html):
        assert "Nobody Inc" in text and "knows no one there" in text
        assert "add them to its contacts" in text
    assert "Every due account has its next step" in rendered(digest_of(cfg)).text
