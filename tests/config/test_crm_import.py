"""CRM exports for import: HubSpot and Salesforce shapes, contacts linked, errors together."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config.crm import HUBSPOT, SALESFORCE, CrmFileError, read_crm_export
from agent.model import Tier
from tests.kits.engine_kit import account, config

DATA = Path(__file__).resolve().parents[1] / "web" / "data"
BOOK = config(account("Meridian Bank", domains=["meridianbank.com"]))


def hubspot(tier: Tier = Tier.TARGET):
    return read_crm_export(
        (DATA / "hubspot-companies.csv").read_bytes(),
        "companies.csv",
        (DATA / "hubspot-contacts.csv").read_bytes(),
        "contacts.csv",
        config=BOOK,
        tier=tier,
    )


def test_hubspot_companies_become_accounts_with_their_domains_and_stage() -> None:
    found = hubspot(Tier.DREAM)
    assert found.kind == HUBSPOT
    rows = {r.account["name"]: r for r in found.rows}
    assert list(rows) == ["Harbor Cold Storage", "Vireo Robotics", "Kestrel Foods"]
    harbor = rows["Harbor Cold Storage"].account
    assert harbor["domains"] == ["harborcold.com", "harbor-cold.eu", "harborcold.co.uk"]
    assert (harbor["stage"], harbor["tier"]) == ("hot", "dream")
    assert rows["Vireo Robotics"].account["domains"] == ["vireo-robotics.com"]
    assert rows["Kestrel Foods"].account["stage"] == "won"
    assert rows["Harbor Cold Storage"].owner == "Riley Quinn"


def test_hubspot_contacts_are_linked_by_company_name() -> None:
    rows = {r.account["name"]: r for r in hubspot().rows}
    assert rows["Harbor Cold Storage"].account["contacts"] == [
        {
            "email": "hugo.brandt@harborcold.com",
            "name": "Hugo Brandt",
            "role": "Head of Operations",
        },
        {"email": "mia.sato@harborcold.com", "name": "Mia Sato"},
    ]
    assert rows["Vireo Robotics"].account["contacts"][0]["role"] == "CTO"


def test_every_row_problem_is_listed_together_with_file_and_line() -> None:
    errors = [str(e) for e in hubspot().errors]
    assert errors == [
        "companies.csv line 4: account 'Pals Club' lists gmail.com, a free-mail domain: every "
        "gmail.com address in your mail would count as Pals Club; list the company's own "
        "domain (what follows the @ in their work addresses)",
        "companies.csv line 5: Meridian Bank is already an account",
        "companies.csv line 6: No Domain Ltd has no domain (or website): nurture could not "
        "see its mail",
        "contacts.csv line 5: zoe@nowhere.com: company 'Unknown Co' is not among the rows imported",
        "contacts.csv line 6: Ann Nomail has no email address",
    ]


def test_salesforce_accounts_and_contacts_by_account_id() -> None:
    accounts = (
        "Id,Name,Website,Type,Owner\n"
        "001A000001abcdeAAA,Osprey Air,http://osprey-air.com,Customer - Direct,Riley\n"
        "001A000001fghijAAA,Tern Labs,ternlabs.io,Prospect,Riley\n"
        "001A000001klmnoAAA,Old Friend,oldfriend.com,Former Customer,Riley\n"
    )
    contacts = (
        "FirstName,LastName,Email,Title,AccountId\n"
        "Lee,Ng,lee@osprey-air.com,COO,001A000001abcde\n"  # the 15-character form
        "Max,Roe,max@ternlabs.io,,001A000001fghijAAA\n"
    )
    found = read_crm_export(
        accounts.encode(), "accounts.csv", contacts.encode(), "contacts.csv", config=BOOK
    )
    assert found.kind == SALESFORCE and found.errors == []
    rows = {r.account["name"]: r.account for r in found.rows}
    assert rows["Osprey Air"]["stage"] == "won" and rows["Tern Labs"]["stage"] == "cold"
    assert rows["Old Friend"]["stage"] == "lost"
    assert rows["Osprey Air"]["contacts"] == [
        {"email": "lee@osprey-air.com", "name": "Lee Ng", "role": "COO"}
    ]
    assert rows["Tern Labs"]["contacts"][0]["email"] == "max@ternlabs.io"


def test_a_file_that_is_not_an_export_says_what_it_needs() -> None:
    with pytest.raises(CrmFileError, match="needs a 'Company Domain Name' or a 'Website'"):
        read_crm_export(b"a,b\n1,2\n", "x.csv", None, "", config=BOOK)
    with pytest.raises(CrmFileError, match="line 2 is not UTF-8"):
        read_crm_export(b"Name,Website\n\xff\xfe,x.com\n", "x.csv", None, "", config=BOOK)
