"""Issue 15, through the real CLI: what an outsider writes into a meeting title, a name or
an address never adds a recipient or a header, on the local provider and on (fake) Gmail;
the draft and the message that is sent go to the contact alone."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from agent.cli.main import cli, main
from agent.untrusted.headers import WRITTEN
from tests.conftest import NOW
from tests.kits.attackworld import (
    EVIL,
    INJECTION,
    KATE,
    ME,
    SECOND_TO,
    World,
    encoded,
    header_names,
    parsed,
    recipients,
    write_world,
)
from tests.kits.fakegoogle import FakeGoogle
from tests.kits.googleworld import seed_calendar, seed_mail


def run(capsys: pytest.CaptureFixture[str], world: World, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(["--now", NOW.isoformat(), *world.args, *args])
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


class Side:
    """One provider's view of the world: where drafts are and what was sent."""

    def __init__(self, world: World, fake: FakeGoogle | None) -> None:
        self.world = world
        self.fake = fake

    def drafts(self) -> list[bytes]:
        if self.fake is not None:
            return [view.raw for view in self.fake.drafts().values()]
        return [path.read_bytes() for path in self.world.outbox()]

    def sent(self) -> list[bytes]:
        if self.fake is not None:
            return [message.raw for message in self.fake.sends]
        return [path.read_bytes() for path in self.world.outbox("sent")]

    def sent_to(self) -> list[list[str]]:
        """Who each sent message went to, as the server delivered it (Gmail: its record)."""
        if self.fake is not None:
            return [list(message.recipients) for message in self.fake.sends]
        return [recipients(raw) for raw in self.sent()]


@pytest.fixture(params=["local", "google"])
def side(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def make_world(
    side: str,
    tmp_path: Path,
    fake_stack: list[FakeGoogle],
    edit: Callable[[World], None] | None = None,
    **fields: Any,
) -> Side:
    world = write_world(tmp_path / "w", **fields)
    if edit is not None:
        edit(world)
    if side == "local":
        return Side(world, None)
    fake = FakeGoogle(email=ME, now=NOW)
    fake.__enter__()
    fake_stack.append(fake)
    seed_mail(fake, world.folder / "mail.mbox")
    seed_calendar(fake, world.folder / "calendar.ics", ZoneInfo("UTC"), NOW)
    config = world.folder / "config.yaml"
    text = config.read_text().replace(
        "local: {", f"provider: google\ngoogle: {{endpoint: '{fake.base_url}'}}\nlocal: {{"
    )
    config.write_text(text)
    return Side(world, fake)


@pytest.fixture
def fakes() -> Iterator[list[FakeGoogle]]:
    stack: list[FakeGoogle] = []
    yield stack
    for fake in stack:
        fake.__exit__(None, None, None)
        assert not fake.violations, fake.violations


def assert_only_kate(raw: bytes) -> None:
    assert recipients(raw) == [KATE]
    names = header_names(raw)
    assert set(names) <= WRITTEN and "bcc" not in names and "cc" not in names, names
    subject = str(parsed(raw)["Subject"])
    assert "\r" not in subject and "\n" not in subject and "=?" not in subject


def cycle_and_approve(capsys, side: Side) -> bytes:
    code, out, err = run(capsys, side.world, "cycle")
    assert code == 0, err
    [draft] = side.drafts()
    assert_only_kate(draft)
    [row] = json.loads(run(capsys, side.world, "drafts", "list", "--json")[1])
    code, out, err = run(capsys, side.world, "drafts", "approve", row["id"], "--yes")
    assert code == 0, err
    said = f"Sent to {KATE}." if side.fake else f"nurture counts it as sent to {KATE}."
    assert said in out
    [sent] = side.sent()
    assert side.sent_to() == [[KATE]]
    assert_only_kate(sent)
    return sent


def test_a_meeting_title_cannot_add_a_bcc_or_replace_the_body(
    side: str, tmp_path: Path, fakes: list[FakeGoogle], capsys
) -> None:
    # CVE-2024-6923: the decoded line breaks of an encoded word were written out raw.
    world = make_world(side, tmp_path, fakes, title=f"Pilot {encoded(INJECTION)}")
    sent = cycle_and_approve(capsys, world)
    message = parsed(sent)
    assert str(message["Subject"]).startswith("One more question after Pilot")
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert body.startswith("Hi Kate,")


@pytest.mark.parametrize("how", ["b", "q"])
def test_a_contact_name_in_the_config_cannot_add_a_recipient(
    side: str, how: str, tmp_path: Path, fakes: list[FakeGoogle], capsys
) -> None:
    world = make_world(side, tmp_path, fakes, name=encoded(SECOND_TO, how))
    cycle_and_approve(capsys, world)


def test_a_contact_name_in_the_crm_export_cannot_add_a_recipient(
    side: str, tmp_path: Path, fakes: list[FakeGoogle], capsys
) -> None:
    world = make_world(side, tmp_path, fakes, name=encoded(SECOND_TO), csv="yes")
    cycle_and_approve(capsys, world)


def test_an_encoded_word_as_an_address_is_nobody_to_write_to(
    side: str, tmp_path: Path, fakes: list[FakeGoogle], capsys
) -> None:
    """Mail from, and a meeting with, ``=?...?=@acme.example`` (no contact in the config):
    not a mailbox nurture reads, so no draft is planned for it and nothing reaches the
    attacker; the cycle goes on."""
    address = f"{encoded(f'{EVIL}>, <kate', 'q')}@acme.example"

    def attack(world: World) -> None:
        ics = world.folder / "calendar.ics"
        text = ics.read_text().replace(f"mailto:{KATE}", f"mailto:{address}")
        ics.write_text(text, newline="")

    world = make_world(side, tmp_path, fakes, sender=f"Kate <{address}>", edit=attack, listed=False)
    code, out, err = run(capsys, world.world, "cycle")
    assert code == 0, err
    assert "0 new drafts for review" in out
    assert world.drafts() == [] and world.sent() == []


def test_an_encoded_word_as_a_configured_address_is_a_config_error(tmp_path: Path, capsys) -> None:
    local = encoded(f"{EVIL}>, <kate", "q")
    world = write_world(tmp_path / "w", contact=f"{local}@acme.example")
    code, _, err = run(capsys, world, "cycle")
    assert code == 2 and "is not an email address" in err
    assert world.outbox() == []


def test_approve_shows_the_bcc_an_old_draft_carries_and_never_sends_it_unseen(
    tmp_path: Path, capsys
) -> None:
    """A draft written before the fix (or changed in the mailbox) is shown as it is: the
    Bcc appears on the card, --yes refuses, and only a rep who saw it can send it."""
    world = write_world(tmp_path / "w")
    assert run(capsys, world, "cycle")[0] == 0
    [path] = world.outbox()
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b"Subject:", f"Bcc: {EVIL}\r\nSubject:".encode(), 1))
    [row] = json.loads(run(capsys, world, "drafts", "list", "--json")[1])
    code, out, _ = run(capsys, world, "drafts", "show", row["id"])
    assert code == 0 and f"Bcc:     <{EVIL}>" in out
    assert f"WARNING: it also goes to {EVIL}" in out
    shown = json.loads(run(capsys, world, "drafts", "show", row["id"], "--json")[1])
    assert shown["bcc"] == [{"name": "", "email": EVIL}] and shown["source"] == "mailbox"
    code, out, err = run(capsys, world, "drafts", "approve", row["id"], "--yes")
    assert code == 1 and "was not sent" in err and EVIL in err
    assert world.outbox("sent") == []
    args = ["--now", NOW.isoformat(), *world.args, "drafts", "approve", row["id"]]
    result = CliRunner().invoke(cli, args, input="y\n")
    assert result.exit_code == 0, result.output
    assert f"Bcc:     <{EVIL}>" in result.output.split("Move it to the sent folder")[0]
    assert f"counts it as sent to {KATE}, {EVIL}." in result.output


def test_approve_sends_nothing_when_the_draft_changed_after_it_was_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    world = write_world(tmp_path / "w")
    assert run(capsys, world, "cycle")[0] == 0
    [path] = world.outbox()
    [row] = json.loads(run(capsys, world, "drafts", "list", "--json")[1])

    def confirm_while_it_changes(*_: object, **__: object) -> bool:
        data = path.read_bytes()
        path.write_bytes(data.replace(b"Subject:", f"Cc: {EVIL}\r\nSubject:".encode(), 1))
        return True

    monkeypatch.setattr("click.confirm", confirm_while_it_changes)
    code, _, err = run(capsys, world, "drafts", "approve", row["id"])
    assert code == 1 and "changed in your mailbox after it was shown: not sent" in err
    assert world.outbox("sent") == []


def test_gmail_approve_shows_what_gmail_holds(tmp_path: Path, fakes, capsys) -> None:
    side = make_world("google", tmp_path, fakes)
    fake = side.fake
    assert fake is not None
    assert run(capsys, side.world, "cycle")[0] == 0
    [(draft_id, view)] = fake.drafts().items()
    edited = view.raw.replace(b"Subject:", f"Bcc: {EVIL}\r\nSubject:".encode(), 1)
    import base64

    raw = base64.urlsafe_b64encode(edited).decode()
    gmail = fake.build("gmail").users()
    gmail.drafts().update(userId="me", id=draft_id, body={"message": {"raw": raw}}).execute()
    [row] = json.loads(run(capsys, side.world, "drafts", "list", "--json")[1])
    code, out, _ = run(capsys, side.world, "drafts", "show", row["id"])
    assert code == 0 and f"Bcc:     <{EVIL}>" in out and "WARNING" in out
    code, _, err = run(capsys, side.world, "drafts", "approve", row["id"], "--yes")
    assert code == 1 and "was not sent" in err
    assert fake.sends == []


def _left_pending(world: World, key: str, **fields: str) -> None:
    """A pending record as an older nurture left it (recorded, then building failed)."""
    state = world.folder / "home" / "state.json"
    data = json.loads(state.read_text())
    like = next(iter(data["tables"]["drafts"].values()))
    data["tables"]["drafts"][key] = {**like, "key": key, "status": "pending", **fields}
    state.write_text(json.dumps(data))


def test_a_pending_draft_that_cannot_be_built_blocks_nothing(tmp_path: Path, capsys) -> None:
    """Before: building raised after the pending record was saved, and every later cycle
    (and the daemon's plan job) crashed on it. Now it is marked failed with its reason,
    the other drafts are written, and `drafts reject` clears it."""
    world = write_world(tmp_path / "w")
    assert run(capsys, world, "cycle")[0] == 0
    bad_name = encoded(f"Kate\r\nBcc: {EVIL}")
    _left_pending(world, "draft-name", contact_name=bad_name)
    _left_pending(world, "draft-address", contact=f"{encoded(EVIL, 'q')}@acme.example")
    code, out, err = run(capsys, world, "cycle")
    assert code == 0, err
    assert "1 refused as unsafe" in out
    rows = {r["id"]: r for r in json.loads(run(capsys, world, "drafts", "list", "--json")[1])}
    assert rows["draft-name"]["status"] == "created"  # its name neutralised: safe to write
    assert rows["draft-address"]["status"] == "failed"
    assert "is not a single plain address" in rows["draft-address"]["failed_reason"]
    for draft in world.outbox():
        assert_only_kate(draft.read_bytes())
    assert run(capsys, world, "cycle")[0] == 0  # and the next one too
    code, out, _ = run(capsys, world, "drafts", "show", "draft-address")
    assert code == 0 and "Refused: " in out
    code, out, err = run(capsys, world, "drafts", "reject", "draft-address")
    assert code == 0, err
    rows = {r["id"]: r for r in json.loads(run(capsys, world, "drafts", "list", "--json")[1])}
    assert rows["draft-address"]["status"] == "rejected"


def test_reject_clears_a_pending_draft(tmp_path: Path, capsys) -> None:
    world = write_world(tmp_path / "w")
    assert run(capsys, world, "cycle")[0] == 0
    [draft] = world.outbox()
    key = draft.stem
    _left_pending(world, key)  # as if the run stopped right after writing the file
    code, _, err = run(capsys, world, "drafts", "reject", key, "--reason", "stale")
    assert code == 0, err
    assert world.outbox() == []
