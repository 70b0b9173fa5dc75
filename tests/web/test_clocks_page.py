"""Issue 19 in the web app: the account page and the board show the three clocks."""

from __future__ import annotations

from tests.web.conftest import Visitor, text


def test_the_account_page_and_board_show_the_three_clocks(visitor: Visitor) -> None:
    quarry = text(visitor.get("/account/Quarry%20%26%20Finch"))
    assert "Clocks: you wrote 7 days ago (Fri 13 Nov)" in quarry
    assert "they replied 50 days ago (Thu 01 Oct)" in quarry
    assert "met 60 days ago (Mon 21 Sep)" in quarry
    assert "one-way for 5 weeks" in quarry
    board = text(visitor.get("/"))
    assert "you 2026-11-13 · them 2026-10-01 · met 2026-09-21" in board
