"""Play templates: every play renders, a broken one says where, nothing reaches a header raw."""

from __future__ import annotations

from dataclasses import replace
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from agent.core.drafts import compose, first_name, one_line, sample_action
from agent.errors import UserError
from agent.model import Offer, PlayId
from agent.providers.mail.mime import build_mime
from agent.render.jinja import bundled_templates, split_play_template
from tests.conftest import NOW, make_config

SIGNED = {"sender_name": "Riley Quinn", "signature": "Riley Quinn\nNorthwind Analytics"}
EMPTY_PHRASES = ("checking in", "touching base", "following up", "circling back", "any update")


def config(tmp_path: Path, **drafts: object):
    return make_config(drafts={**SIGNED, "templates": str(tmp_path / "mine"), **drafts})


@pytest.mark.parametrize("play", list(PlayId))
def test_every_play_renders_short_specific_and_signed(tmp_path: Path, play: PlayId) -> None:
    action = sample_action(play)
    mail = compose(action, config(tmp_path))
    assert mail.key == action.key and mail.rfc822_id == ""  # chosen when recorded
    assert mail.to[0].email == action.contact and mail.to[0].name == "Kate Morgan"
    assert mail.subject and "\n" not in mail.subject
    assert mail.text.startswith("Hi Kate,\n") and "Sample Foods" in mail.text
    assert mail.text.rstrip().endswith("Riley Quinn\nNorthwind Analytics")
    assert len(mail.text.split()) < 120, "a draft the rep can read in a breath"
    assert not any(p in mail.text.lower() for p in EMPTY_PHRASES), "nothing but value"
    assert "{{" not in mail.text + mail.subject + mail.html
    if action.offer is not None:
        assert action.offer.title in mail.text


def test_every_bundled_template_says_its_play() -> None:
    for play in PlayId:
        path = bundled_templates() / f"{play.value}.j2"
        assert split_play_template(path.read_text(), str(path)).play == play.value


def test_the_optional_parts_may_be_missing(tmp_path: Path) -> None:
    for play in (PlayId.NEW_CONTACT, PlayId.DO_OVER):  # reengage_lost always brings a give
        action = replace(sample_action(play), contact_name="", offer=None, meeting="")
        mail = compose(action, config(tmp_path))
        assert mail.text.startswith("Hi Kate,\n"), "a name from kate.morgan@"
    nameless = replace(sample_action(PlayId.STALLED_CLOSURE), contact="cfo@x.example")
    nameless = replace(nameless, contact_name="")
    assert compose(nameless, config(tmp_path)).text.startswith("Hi,\n"), "no invented name"


def test_first_names_never_leave_hi_comma() -> None:
    assert first_name("Dana Whitfield", "d@x.com") == "Dana"
    assert first_name("", "ingrid.halvorsen@x.com") == "Ingrid"
    assert first_name("  ", "x7@x.com") == "", "the template greets without a name"
    assert first_name("", "mjones7@txu.com") == first_name("", "hherzog@x.com") == ""


def test_a_lost_deal_draft_can_bring_a_give_without_a_link(tmp_path: Path) -> None:
    insight = Offer("insight", "insight:freight", "A thought on freight", detail="Rates fell.")
    intro = Offer("introduction", "introduction:j", "Jordan Reyes, COO", detail="a peer")
    for offer, says in ((insight, "Rates fell."), (intro, "I know Jordan Reyes, COO: a peer")):
        action = replace(sample_action(PlayId.REENGAGE_LOST), offer=offer)
        mail = compose(action, config(tmp_path))
        assert says in mail.text
        assert "How are things" not in mail.subject + mail.text
        assert "how things have settled" not in mail.text  # the old bare check-in


def test_html_part_escapes_what_it_is_given(tmp_path: Path) -> None:
    action = replace(sample_action(PlayId.SHARE_CONTENT), account="<script>alert(1)</script>")
    mail = compose(action, config(tmp_path))
    assert "<script>" not in mail.html and "&lt;script&gt;" in mail.html
    assert "<script>alert(1)</script>" in mail.text  # plain text is not HTML: left as it is
    assert "Riley Quinn<br>" in mail.html


def test_header_injection_in_names_and_subjects_is_neutralised(tmp_path: Path) -> None:
    evil = "Kate\r\nBcc: everyone@evil.example\r\n"
    offer = replace(sample_action(PlayId.SHARE_CONTENT).offer, title="Hi\nBcc: a@evil.example")
    action = replace(sample_action(PlayId.SHARE_CONTENT), contact_name=evil, offer=offer)
    mail = compose(action, config(tmp_path))
    assert "\n" not in mail.subject and "\n" not in mail.to[0].name
    raw = build_mime(mail, mail.to[0], NOW).as_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Bcc"] is None and parsed.get_all("To") == [parsed["To"]]
    assert [a.addr_spec for a in parsed["To"].addresses] == [action.contact]
    assert one_line("a\u2028b\x00c\u0085d") == "a b c d"


def test_a_bad_contact_address_is_refused(tmp_path: Path) -> None:
    action = replace(sample_action(PlayId.SHARE_CONTENT), contact="a@x.com>, b@evil.example")
    with pytest.raises(UserError, match="not an address"):
        compose(action, config(tmp_path))


def write(folder: Path, play: str, body: str, subject: str = "Hello") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{play}.j2"
    path.write_text(f"---\nplay: {play}\nsubject: {subject}\n---\n{body}")
    return path


def test_the_reps_template_wins_over_the_bundled_one(tmp_path: Path) -> None:
    write(tmp_path / "mine", "stalled_closure", "Hey {{ contact.first_name }}, yes or no?\n")
    mail = compose(sample_action(PlayId.STALLED_CLOSURE), config(tmp_path))
    assert mail.text == "Hey Kate, yes or no?\n" and mail.subject == "Hello"
    other = compose(sample_action(PlayId.DO_OVER), config(tmp_path))
    assert "the contract end date" in other.text  # the others stay bundled


def test_a_missing_variable_names_file_line_and_variable(tmp_path: Path) -> None:
    path = write(tmp_path / "mine", "introduction", "Hi {{ contact.first_name }},\n\n{{ pitch }}\n")
    with pytest.raises(UserError) as caught:
        compose(sample_action(PlayId.INTRODUCTION), config(tmp_path))
    assert f"{path}:7" in caught.value.message and "'pitch' is undefined" in caught.value.message


def test_a_missing_attribute_in_the_subject_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "mine", "invitation", "Hi\n", subject="{{ offer.titel }}")
    with pytest.raises(UserError) as caught:
        compose(sample_action(PlayId.INVITATION), config(tmp_path))
    assert f"{path}:3" in caught.value.message and "titel" in caught.value.message


def test_a_syntax_error_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "mine", "do_over", "Hi\n{% for a in asks %}\n{{ a }}\n")
    with pytest.raises(UserError) as caught:
        compose(sample_action(PlayId.DO_OVER), config(tmp_path))
    assert f"{path}:" in caught.value.message and "endfor" in caught.value.message


def test_the_html_part_keeps_the_files_line_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path / "mine", "share_content", "Hi\n--- html ---\n<p>Hi</p>\n<p>{{ x }}</p>\n"
    )
    with pytest.raises(UserError) as caught:
        compose(sample_action(PlayId.SHARE_CONTENT), config(tmp_path))
    assert f"{path}:8" in caught.value.message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Hi\n", "must start with front matter"),
        ("---\nplay: do_over\nsubject: x\n", "no closing"),
        ("---\nplay: do_over\nsubjet: x\n---\nHi\n", "unknown front matter"),
        ("---\nplay: do_over\n---\nHi\n", "lacks `subject:`"),
        ("---\nplay: new_contact\nsubject: x\n---\nHi\n", "says `play: new_contact`"),
    ],
)
def test_front_matter_mistakes_are_named(tmp_path: Path, text: str, problem: str) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "do_over.j2").write_text(text)
    with pytest.raises(UserError, match=problem):
        compose(sample_action(PlayId.DO_OVER), config(tmp_path))


def test_the_sandbox_keeps_templates_away_from_python(tmp_path: Path) -> None:
    write(tmp_path / "mine", "do_over", "{{ asks.__class__.__mro__[1].__subclasses__() }}\n")
    with pytest.raises(UserError, match="unsafe"):
        compose(sample_action(PlayId.DO_OVER), config(tmp_path))
