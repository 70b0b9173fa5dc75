"""The pages over the demo, through the app's own routes (no browser): the same numbers
and order as the CLI, and every write through the CLI's use cases."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from agent.app import book
from agent.config.schema import load_config
from agent.model.tables import DRAFTS, STAGES, DraftStatus
from agent.store.db import Store
from agent.views.json import board_json
from tests.conftest import NOW
from tests.web.conftest import Demo, Visitor, text

DATA = Path(__file__).resolve().parent / "data"


def cli_board(demo: Demo) -> list[dict[str, object]]:
    config = load_config(demo.config)
    with Store.open(demo.home) as store:
        rows, states = book.current_board_and_states(config, store, NOW)
    return board_json(rows, config, states)


def test_the_board_has_the_clis_order_and_numbers(visitor: Visitor, demo: Demo) -> None:
    html = visitor.get("/").get_data(as_text=True)
    shown = re.findall(r'<th scope="row" data-label="Account"><a href="[^"]+">([^<]+)</a>', html)
    rows = cli_board(demo)
    assert [n.replace("&amp;", "&") for n in shown] == [r["name"] for r in rows]
    assert len(rows) == 10
    page = text(visitor.get("/"))
    assert "Atlas Manufacturing" in page and "yes, never touched" in page
    assert "Halvorsen Logistics" in page and "yes, 66d over" in page
    assert "opportunity may be reborn" in page
    assert html.count('class="spark"') == 10


def test_the_board_filters_by_tier_stage_and_due(visitor: Visitor, demo: Demo) -> None:
    rows = cli_board(demo)

    def names(query: str) -> list[str]:
        html = visitor.get(f"/?{query}").get_data(as_text=True)
        found = re.findall(r'data-label="Account"><a href="[^"]+">([^<]+)</a>', html)
        return [n.replace("&amp;", "&") for n in found]

    assert names("tier=target") == [r["name"] for r in rows if r["tier"] == "target"]
    assert names("stage=lost") == [r["name"] for r in rows if r["stage"] == "lost"]
    assert names("due=yes") == [r["name"] for r in rows if r["due"]]
    assert names("due=no&tier=dream") == [
        r["name"] for r in rows if not r["due"] and r["tier"] == "dream"
    ]


def test_an_account_shows_people_coverage_timeline_and_plays(visitor: Visitor) -> None:
    page = text(visitor.get("/account/Meridian%20Bank"))
    assert "3 of 3 people reached in 90 days" in page
    assert "Priya Nair" in page and "Lena Fischer" in page and "not listed" in page
    assert "mail received" in page and "meeting" in page
    assert "“Real-time payments: what changed this year”" in page
    corvid = text(visitor.get("/account/corvid"))  # any unambiguous part of the name
    assert "Opportunity may be reborn" in corvid
    assert "draft created" in text(visitor.get("/account/Summit%20Foods"))  # the demo's drafts


def test_a_stage_change_is_recorded_with_its_date(visitor: Visitor, demo: Demo) -> None:
    done = visitor.follow(
        visitor.post("/account/Corvid%20Health/stage", {"stage": "hot", "since": "2026-11-18"})
    )
    assert "Corvid Health is now hot, since Wed 18 Nov 2026." in text(done)
    with Store.open(demo.home) as store:
        assert store.get(STAGES, "Corvid Health") == {"stage": "hot", "since": "2026-11-18"}
    corvid = next(r for r in cli_board(demo) if r["name"] == "Corvid Health")
    assert (corvid["stage"], corvid["stage_since"]) == ("hot", "2026-11-18")


def test_a_stage_in_the_future_is_refused_in_words(visitor: Visitor, demo: Demo) -> None:
    refused = visitor.post(
        "/account/Corvid%20Health/stage", {"stage": "hot", "since": "2027-01-01"}
    )
    assert refused.status_code == 400
    assert "2027-01-01 is in the future" in text(refused)
    with Store.open(demo.home) as store:
        assert store.get(STAGES, "Corvid Health") is None


def waiting(demo: Demo) -> list[dict[str, object]]:
    return [r | {"key": k} for k, r in demo.records().items() if r["status"] == DraftStatus.CREATED]


def test_review_lists_each_waiting_draft_with_who_why_and_the_text(
    visitor: Visitor, demo: Demo
) -> None:
    drafts = waiting(demo)
    assert drafts
    html = visitor.get("/review").get_data(as_text=True)
    page = text(visitor.get("/review"))
    for record in drafts:
        assert f'id="d-{record["key"]}"' in html
        assert str(record["contact"]) in page
        assert str(record["text"]).splitlines()[0] in html


def test_approving_sends_it_and_records_it(visitor: Visitor, demo: Demo) -> None:
    record = waiting(demo)[0]
    done = visitor.follow(
        visitor.post(f"/review/{record['key']}/approve", {"message_id": record["message_id"]})
    )
    sent = demo.folder / "outbox" / "sent" / f"{record['key']}.eml"
    said = f"Moved to {sent}: send it to {record['contact_name']} from your mail program."
    assert said in text(done)  # the local provider sends nothing, and says so
    assert demo.records()[str(record["key"])]["status"] == "sent"
    assert list((demo.folder / "outbox" / "sent").glob("*.eml"))
    assert f'id="d-{record["key"]}"' not in done.get_data(as_text=True)


def test_a_draft_changed_meanwhile_is_not_sent(visitor: Visitor, demo: Demo) -> None:
    record = waiting(demo)[0]
    refused = visitor.post(f"/review/{record['key']}/approve", {"message_id": "<old@x>"})
    assert refused.status_code == 400 and "changed while you were deciding" in text(refused)
    assert demo.records()[str(record["key"])]["status"] == DraftStatus.CREATED


def test_rejecting_keeps_the_reason(visitor: Visitor, demo: Demo) -> None:
    record = waiting(demo)[1]
    done = visitor.follow(
        visitor.post(
            f"/review/{record['key']}/reject",
            {"message_id": record["message_id"], "reason": "they just changed roles"},
        )
    )
    assert "nothing was sent" in text(done)
    saved = demo.records()[str(record["key"])]
    assert (saved["status"], saved["reject_reason"]) == ("rejected", "they just changed roles")
    assert "“they just changed roles”" in text(done)  # under "Recently decided"


def test_editing_replaces_subject_and_text(visitor: Visitor, demo: Demo) -> None:
    record = waiting(demo)[0]
    done = visitor.follow(
        visitor.post(
            f"/review/{record['key']}/edit",
            {
                "message_id": record["message_id"],
                "subject": "A shorter subject",
                "text": "Hi,\r\n\r\nOne line from me.\r\n",
            },
        )
    )
    assert "Saved your changes" in text(done)
    saved = demo.records()[str(record["key"])]
    assert (saved["subject"], saved["text"], saved["edited"]) == (
        "A shorter subject",
        "Hi,\n\nOne line from me.\n",
        True,
    )
    eml = (demo.folder / "outbox" / "drafts" / f"{record['key']}.eml").read_text()
    assert "Subject: A shorter subject" in eml


def test_a_stale_draft_is_flagged_and_sent_only_when_ticked(visitor: Visitor, demo: Demo) -> None:
    record = waiting(demo)[0]
    why = "Ana wrote on Thu 19 Nov: answer that first"
    with Store.open(demo.home) as store:
        store.put(DRAFTS, str(record["key"]), {**record, "edited": True, "stale": why})
        store.commit()
    html = visitor.get("/review").get_data(as_text=True)
    assert html.count(f"Out of date: {why}.") == 1
    assert 'class="draft stale"' in html and 'name="force"' in html
    url, form = f"/review/{record['key']}/approve", {"message_id": record["message_id"]}
    refused = visitor.post(url, form)
    assert refused.status_code == 400 and "is stale" in text(refused)
    assert demo.records()[str(record["key"])]["status"] == DraftStatus.CREATED
    visitor.follow(visitor.post(url, {**form, "force": "yes"}))
    assert demo.records()[str(record["key"])]["status"] == DraftStatus.SENT


def test_plan_and_week_show_the_next_cycle_blocks_and_digest(visitor: Visitor, demo: Demo) -> None:
    page = text(visitor.get("/plan"))
    assert "Replies you owe" in page and "Omar Haddad" in page
    assert "Stage changes to consider" in page and "On hold" in page
    assert "NURTURE DREAM CLIENTS" in page and "Fri 20 Nov 2026 · today" in page
    digest = visitor.get("/digest")
    assert (
        digest.status_code == 200
        and "frame-ancestors 'self'" in digest.headers["Content-Security-Policy"]
    )
    assert "dream" in text(digest).lower()


def test_setup_suggests_companies_from_the_demo_mail_and_adds_one(
    visitor: Visitor, demo: Demo
) -> None:
    page = text(visitor.get("/setup"))
    assert "harborcold.com" in page and "vireo-robotics.com" in page
    assert "gmail.com" not in page and "talentbridge.io" not in page
    done = visitor.follow(
        visitor.post(
            "/setup/suggested",
            {
                "domain": "harborcold.com",
                "name": "Harbor Cold Storage",
                "tier": "dream",
                "person": ["mia.sato@harborcold.com"],
            },
        )
    )
    assert "Added Harbor Cold Storage to your accounts." in text(done)
    assert (
        "harborcold.com"
        not in text(done).split("Companies you already talk to")[1].split("3. Import")[0]
    )
    added = next(a for a in load_config(demo.config).accounts if a.name == "Harbor Cold Storage")
    assert added.tier.value == "dream" and [c.email for c in added.contacts] == [
        "mia.sato@harborcold.com"
    ]
    assert demo.config.read_text().startswith("# nurture demo workspace")


def test_a_hubspot_import_previews_then_writes_the_ticked_rows(
    visitor: Visitor, demo: Demo
) -> None:
    files = {
        "companies": (io.BytesIO((DATA / "hubspot-companies.csv").read_bytes()), "companies.csv"),
        "contacts": (io.BytesIO((DATA / "hubspot-contacts.csv").read_bytes()), "contacts.csv"),
        "tier": "dream",
    }
    preview = visitor.follow(visitor.post("/setup/import", files))
    page = text(preview)
    assert "From HubSpot: 3 accounts to import" in page
    assert "5 rows cannot be imported" in page
    assert "companies.csv line 5: Meridian Bank is already an account" in page
    assert "contacts.csv line 6: Ann Nomail has no email address" in page
    key = re.search(r'name="import" value="([0-9a-f]+)"', preview.get_data(as_text=True))
    assert key is not None
    done = visitor.follow(
        visitor.post("/setup/import/confirm", {"import": key[1], "line": ["2", "7"]})
    )
    assert "Imported 2 accounts from HubSpot." in text(done)
    names = {a.name: a for a in load_config(demo.config).accounts}
    assert (
        "Harbor Cold Storage" in names
        and "Kestrel Foods" in names
        and "Vireo Robotics" not in names
    )
    harbor = names["Harbor Cold Storage"]
    assert (harbor.tier.value, harbor.stage.value, len(harbor.contacts)) == ("dream", "hot", 2)


def test_an_invalid_import_writes_nothing(visitor: Visitor, demo: Demo) -> None:
    before = demo.config.read_text()
    not_an_export = io.BytesIO(b"first,second\n1,2\n")
    bad = visitor.post("/setup/import", {"companies": (not_an_export, "x.csv")})
    assert (
        bad.status_code == 400
        and "not a HubSpot companies or Salesforce accounts export" in text(bad)
    )
    assert demo.config.read_text() == before


def test_people_to_confirm_with_a_role_or_ignore(visitor: Visitor, demo: Demo) -> None:
    page = text(visitor.get("/setup"))
    assert "lena.fischer@meridianbank.com" in page and "omar.haddad@corvidhealth.org" in page
    visitor.post(
        "/setup/person",
        {
            "account": "Meridian Bank",
            "email": "lena.fischer@meridianbank.com",
            "name": "Lena Fischer",
            "role": "CFO",
        },
    )
    visitor.post(
        "/setup/person/ignore",
        {"account": "Corvid Health", "email": "omar.haddad@corvidhealth.org"},
    )
    people = text(visitor.get("/setup")).split("4. Who is this?")[1]
    assert (
        "lena.fischer@meridianbank.com" not in people
        and "omar.haddad@corvidhealth.org" not in people
    )
    meridian = next(a for a in load_config(demo.config).accounts if a.name == "Meridian Bank")
    assert ("lena.fischer@meridianbank.com", "CFO") in {
        (c.email, c.role) for c in meridian.contacts
    }


def test_the_never_contact_list_reaches_the_planner(visitor: Visitor, demo: Demo) -> None:
    bad = visitor.post("/setup/never", {"never": "summitfoods.com\nbad entry"})
    assert bad.status_code == 400
    assert "'bad entry' is neither an email address nor a domain" in text(bad)
    assert "nothing was written" in text(bad)
    assert "never_contact" not in demo.config.read_text()
    visitor.post("/setup/never", {"never": "summitfoods.com"})
    assert load_config(demo.config).never_contact == ("summitfoods.com",)
    page = text(visitor.get("/plan"))
    assert (
        "Summit Foods ·"
        not in page.split("Drafts the next cycle would write")[-1].split("Stage changes")[0]
    )


@pytest.mark.parametrize(
    "path", ["/", "/review", "/plan", "/setup", "/account/Atlas%20Manufacturing"]
)
def test_every_page_reads_in_the_reps_zone_and_names_it(visitor: Visitor, path: str) -> None:
    response = visitor.get(path)
    assert response.status_code == 200
    assert "Traceback" not in response.get_data(as_text=True)


def test_json_rows_are_the_pages_rows(demo: Demo, capsys: pytest.CaptureFixture[str]) -> None:
    from agent.cli.main import main

    with pytest.raises(SystemExit):
        main(
            [
                "--now",
                NOW.isoformat(),
                "--config",
                str(demo.config),
                "--home",
                str(demo.home),
                "board",
                "--json",
            ]
        )
    assert json.loads(capsys.readouterr().out) == cli_board(demo)
