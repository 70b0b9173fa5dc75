"""The demo's story: ten accounts in every stage, their people, and a year of mail and
meetings, each line marked with whether it should count as a touch (the ground truth the
demo's tests check the board against). ``agent.demo.workspace`` writes it out as files.

It also holds a buying committee (``STAKEHOLDERS``: people contacts copy in, whom Riley never
wrote to) and accounts where Riley only ever asks (Halvorsen's quarterly "Checking in",
Quarry & Finch's "Following up"): the board, plan and digest flag both."""

from __future__ import annotations

from dataclasses import dataclass

TZ = "America/Chicago"
REP = "Riley Quinn <riley@northwind-analytics.com>"
COLLEAGUE = "Sam Ortiz <sam.ortiz@northwind-analytics.com>"
DOMAIN = "northwind-analytics.com"

ACCOUNTS_YAML = """\
accounts:
  - name: Halvorsen Logistics
    domains: [halvorsen-logistics.com]
    tier: dream
    stage: cold
    tags: [logistics, warehouse-automation]
    needs: [an introduction to the VP of Operations]
    contacts:
      - {email: ingrid.halvorsen@halvorsen-logistics.com, name: Ingrid Halvorsen, role: COO}
      - {email: marcus.bell@halvorsen-logistics.com, name: Marcus Bell, role: VP Operations}
  - name: Meridian Bank
    domains: [meridianbank.com]
    tier: dream
    stage: cold
    tags: [banking, payments]
    contacts:
      - {email: priya.nair@meridianbank.com, name: Priya Nair, role: Head of Payments}
  - name: Corvid Health
    domains: [corvidhealth.org]
    tier: dream
    stage: lost
    stage_since: {lost_since}
    tags: [healthcare, analytics]
  - name: Atlas Manufacturing
    domains: [atlas-mfg.com]
    tier: dream
    stage: cold
    tags: [manufacturing]
    contacts:
      - {email: dana.whitfield@atlas-mfg.com, name: Dana Whitfield, role: CFO}
  - name: Oakridge Energy
    domains: [oakridge.energy]
    tier: dream
    stage: cold
    tags: [energy]
  - name: Brightline Retail
    domains: [brightline.co]
    tier: target
    stage: hot
    tags: [retail]
    needs: [the current vendor's contract end date, a meeting with the IT director]
  - name: Quarry & Finch
    domains: [quarryfinch.com]
    tier: target
    stage: stalled
    stage_since: {stalled_since}
  - name: Pinecrest Insurance
    domains: [pinecrest-ins.com]
    tier: other
    stage: won
  - name: Summit Foods
    domains: [summitfoods.com]
    tier: dream
    stage: cold
    tags: [food, cold-chain, manufacturing]
    contacts:
      - {email: kate.morgan@summitfoods.com, name: Kate Morgan, role: VP Supply Chain}
      - {email: raj.mehta@summitfoods.com, name: Raj Mehta, role: Plant Director}
  - name: Lakeshore Freight
    domains: [lakeshorefreight.com]
    tier: dream
    stage: lost
    stage_since: {lakeshore_lost_since}
    tags: [logistics, freight]
    contacts:
      - {email: elena.ruiz@lakeshorefreight.com, name: Elena Ruiz, role: VP Supply Chain}
"""


@dataclass(frozen=True)
class Mail:
    days_ago: float
    sender: str
    to: tuple[str, ...]
    subject: str
    body: str
    counts: bool  # ground truth: is this a touch?
    headers: tuple[tuple[str, str], ...] = ()
    reply_to: str = ""  # subject of the message this one answers (same thread)
    cc: tuple[str, ...] = ()


@dataclass(frozen=True)
class Earlier:
    """A draft the cycle of ``days_ago`` wrote and the rep left waiting."""

    days_ago: float
    contact: str
    play: str


# A week ago nurture drafted a re-engagement to Omar at Corvid (lost last summer); the rep
# had not sent it when Omar wrote about the renewal. Today's cycle withdraws it: answer him.
A_WEEK_AGO = Earlier(7, "omar.haddad@corvidhealth.org", "reengage_lost")


@dataclass(frozen=True)
class Held:
    days_ago: float
    title: str
    attendees: tuple[tuple[str, str], ...]  # (address, PARTSTAT)
    counts: bool
    hours: float = 1.0
    cancelled: bool = False


def _people() -> dict[str, str]:
    return {
        "ingrid": "Ingrid Halvorsen <ingrid.halvorsen@halvorsen-logistics.com>",
        "marcus": "Marcus Bell <marcus.bell@halvorsen-logistics.com>",
        "priya": "Priya Nair <priya.nair@meridianbank.com>",
        "tom": "Tom Okafor <tom.okafor@payments.meridianbank.com>",
        "lena": "Lena Fischer <lena.fischer@meridianbank.com>",
        "grace": "Grace Liu <grace.liu@corvidhealth.org>",
        "omar": "Omar Haddad <omar.haddad@corvidhealth.org>",
        "dana": "Dana Whitfield <dana.whitfield@atlas-mfg.com>",
        "jo": "Jo Park <jo.park@oakridge.energy>",
        "ben": "Ben Castillo <ben.castillo@brightline.co>",
        "aisha": "Aisha Rahman <aisha.rahman@brightline.co>",
        "will": "Will Tanner <will.tanner@quarryfinch.com>",
        "nora": "Nora Evans <nora.evans@pinecrest-ins.com>",
        "kate": "Kate Morgan <kate.morgan@summitfoods.com>",
        "raj": "Raj Mehta <raj.mehta@summitfoods.com>",
        "elena": "Elena Ruiz <elena.ruiz@lakeshorefreight.com>",
    }


def script() -> tuple[list[Mail], list[Held]]:
    p = _people()
    checkin = "Hi Ingrid, just checking in to see if anything has changed on your side.\n"
    mails = [
        # Halvorsen: a "check in every quarter" habit, always with the same person.
        *(Mail(d, REP, (p["ingrid"],), "Checking in", checkin, True) for d in (350, 260, 170, 80)),
        Mail(
            258,
            p["ingrid"],
            (REP,),
            "Re: Checking in",
            "Nothing new here, thanks.",
            True,
            reply_to="Checking in",
        ),
        Mail(
            5,
            "Halvorsen News <news@halvorsen-logistics.com>",
            (REP,),
            "Halvorsen Quarterly",
            "Our newsletter.",
            False,
            (("List-Unsubscribe", "<mailto:unsub@halvorsen-logistics.com>"),),
        ),
        Mail(3, COLLEAGUE, (p["marcus"], REP), "Intro from Sam", "Marcus, meet Riley.", False),
        # Meridian Bank: three people reached, one of them on a payments subdomain.
        Mail(
            40,
            REP,
            (p["priya"],),
            "Real-time payments: what changed this year",
            "Priya, a short analysis you may find useful.",
            True,
        ),
        Mail(
            38,
            p["priya"],
            (REP,),
            "Re: Real-time payments: what changed this year",
            "Thanks, useful. Let's talk.",
            True,
            reply_to="Real-time payments: what changed this year",
        ),
        Mail(10, REP, (p["lena"],), "Introduction", "Lena, Priya suggested we speak.", True),
        Mail(
            3,
            "Meridian Alerts <no-reply@meridianbank.com>",
            (REP,),
            "Your statement is ready",
            "Automated notice.",
            False,
        ),
        Mail(
            20,
            REP,
            (p["priya"], *(f"Guest {n} <guest{n}@example.org>" for n in range(24))),
            "Webinar invitation",
            "Join our webinar.",
            False,
        ),
        # Corvid Health: lost, then a dissatisfaction signal arrives.
        Mail(130, REP, (p["grace"],), "Proposal", "Grace, our proposal is attached.", True),
        Mail(
            125,
            p["grace"],
            (REP,),
            "Re: Proposal",
            "We went with another vendor.",
            True,
            reply_to="Proposal",
        ),
        Mail(
            6,
            p["omar"],
            (REP,),
            "Renewal coming up",
            "Our renewal is coming up and the current vendor had another outage. "
            "We are evaluating options.",
            True,
        ),
        # Atlas: never reached; a bounce is not a touch.
        Mail(
            30,
            "Mail Delivery System <MAILER-DAEMON@atlas-mfg.com>",
            (REP,),
            "Undelivered Mail Returned to Sender",
            "Delivery failed.",
            False,
            (("Content-Type", "multipart/report; report-type=delivery-status"),),
        ),
        # Oakridge: one email, answered by an out-of-office.
        Mail(25, REP, (p["jo"],), "Grid storage study", "Jo, a study you might like.", True),
        Mail(
            24.9,
            p["jo"],
            (REP,),
            "Automatic reply: Grid storage study",
            "I am out of the office and back on {back}.",
            False,
            (("Auto-Submitted", "auto-replied"),),
        ),
        # Brightline: a hot deal with two people.
        Mail(20, REP, (p["ben"],), "Pilot scope", "Ben, the scope we discussed.", True),
        Mail(19, p["ben"], (REP,), "Re: Pilot scope", "Looks right.", True, reply_to="Pilot scope"),
        Mail(9, REP, (p["ben"], p["aisha"]), "Pricing", "Ben, Aisha, pricing attached.", True),
        Mail(8, p["aisha"], (REP,), "Re: Pricing", "Thanks Riley.", True, reply_to="Pricing"),
        # Quarry & Finch: stalled, and every recent email went unanswered.
        Mail(50, p["will"], (REP,), "Budget", "I need to check budget first.", True),
        *(
            Mail(d, REP, (p["will"],), "Following up", "Will, any news on budget?", True)
            for d in (35, 21, 7)
        ),
        # Pinecrest: a won account.
        Mail(28, REP, (p["nora"],), "Kick-off notes", "Nora, notes from the kick-off.", True),
        *_more_mail(p),
        *_prospect_mail(),
        *_committee_mail(p),
    ]
    meetings = [
        Held(200, "Corvid discovery", ((p["grace"], "ACCEPTED"), (p["omar"], "ACCEPTED")), True),
        Held(12, "Payments roadmap", ((p["priya"], "ACCEPTED"), (p["tom"], "TENTATIVE")), True),
        Held(15, "Atlas intro call", ((p["dana"], "DECLINED"),), False),
        Held(5, "Atlas follow-up", ((p["dana"], "ACCEPTED"),), False, cancelled=True),
        Held(
            2, "Brightline pilot review", ((p["ben"], "ACCEPTED"), (p["aisha"], "ACCEPTED")), True
        ),
        Held(60, "Quarry & Finch demo", ((p["will"], "ACCEPTED"),), True),
        Held(30, "Pinecrest kick-off", ((p["nora"], "ACCEPTED"),), True, hours=1.5),
        Held(-3, "Brightline contract review", ((p["ben"], "ACCEPTED"),), False),
        Held(-1, "Quarterly business review", ((COLLEAGUE, "ACCEPTED"),), False, hours=2),
        Held(-2, "Customer call: Pinecrest", ((p["nora"], "ACCEPTED"),), False),
        # Summit Foods: a workshop with two people, then a month of silence.
        Held(45, "Cold-chain workshop", ((p["kate"], "ACCEPTED"), (p["raj"], "ACCEPTED")), True),
        # Brightline's IT director sits in on a security review (the buying committee).
        Held(16, "Pilot security review", ((p["ben"], "ACCEPTED"), (CARLOS, "ACCEPTED")), True),
    ]
    return mails, meetings


def _more_mail(p: dict[str, str]) -> list[Mail]:
    """Two dream clients added for the engine's plays; appended so earlier ids stay put."""
    notes = "Workshop notes"
    final = "Final proposal"
    return [
        # Summit Foods: warm after a workshop, then nothing for a month.
        Mail(31, REP, (p["kate"],), notes, "Kate, the notes and spoilage numbers.", True),
        Mail(30, p["kate"], (REP,), f"Re: {notes}", "Very helpful, thanks.", True, reply_to=notes),
        Mail(29, REP, (p["kate"],), f"Re: {notes}", "Glad it helps.", True, reply_to=notes),
        # Lakeshore Freight: lost five months ago, and silence since.
        Mail(170, REP, (p["elena"],), final, "Elena, our final proposal.", True),
        Mail(
            160,
            p["elena"],
            (REP,),
            f"Re: {final}",
            "We decided to stay with our current provider.",
            True,
            reply_to=final,
        ),
        Mail(
            155, REP, (p["elena"],), f"Re: {final}", "Understood, thank you.", True, reply_to=final
        ),
    ]


def _prospect_mail() -> list[Mail]:
    """Companies Riley talks to that are not accounts yet: what the web app's onboarding
    suggests (two-way only; free mail, newsletters and one-way mail left out). Not touches:
    no account has these domains. Appended so earlier ids stay put."""
    hugo = "Hugo Brandt <hugo.brandt@harborcold.com>"
    mia = "Mia Sato <mia.sato@harborcold.com>"
    ravi = "Ravi Kumar <ravi@vireo-robotics.com>"
    pal = "Alex Moreno <alex.moreno1987@gmail.com>"
    return [
        Mail(21, REP, (hugo,), "Cold-room sensors", "Hugo, the sensor data you asked for.", False),
        Mail(20, hugo, (REP,), "Re: Cold-room sensors", "Thanks, forwarding to Mia.", False),
        Mail(14, mia, (REP,), "Sensor pilot", "Riley, could we talk about a pilot?", False),
        Mail(13, REP, (mia, hugo), "Re: Sensor pilot", "Mia, gladly: Tuesday?", False),
        Mail(11, REP, (ravi,), "Robot fleet analytics", "Ravi, as promised.", False),
        Mail(9, ravi, (REP,), "Re: Robot fleet analytics", "Interesting, thanks.", False),
        Mail(8, REP, (pal,), "Saturday", "Still on for Saturday?", False),
        Mail(7, pal, (REP,), "Re: Saturday", "Yes!", False),
        Mail(6, REP, ("Jen Cole <jen@talentbridge.io>",), "Hiring", "Jen, the role.", False),
        Mail(
            4,
            "Freight Weekly <news@freightweekly.com>",
            (REP,),
            "This week in freight",
            "Our newsletter.",
            False,
            (("List-Unsubscribe", "<mailto:unsub@freightweekly.com>"),),
        ),
    ]


LUIS = "Luis Romero <luis.romero@summitfoods.com>"
ANNA = "Anna Kowalski <anna.kowalski@summitfoods.com>"
PAULA = "Paula Grant <paula.grant@summitfoods.com>"
CARLOS = "Carlos Vega <carlos.vega@brightline.co>"
HANNAH = "Hannah Lee <hannah.lee@brightline.co>"

# The buying committee the story knows: people the account's contacts copy or bring to
# meetings, whom Riley never wrote to directly. The committee test hides the listed ones
# (Raj, Marcus) from the config and checks nurture finds them all from the mail.
STAKEHOLDERS = {
    "Summit Foods": frozenset(
        {
            "luis.romero@summitfoods.com",
            "anna.kowalski@summitfoods.com",
            "raj.mehta@summitfoods.com",
        }
    ),
    "Brightline Retail": frozenset({"carlos.vega@brightline.co", "hannah.lee@brightline.co"}),
    "Halvorsen Logistics": frozenset({"marcus.bell@halvorsen-logistics.com"}),
    "Meridian Bank": frozenset({"tom.okafor@payments.meridianbank.com"}),
    "Corvid Health": frozenset({"omar.haddad@corvidhealth.org"}),
}
HIDDEN_CONTACTS = ("raj.mehta@summitfoods.com", "marcus.bell@halvorsen-logistics.com")


def _committee_mail(p: dict[str, str]) -> list[Mail]:
    """Contacts copying colleagues in: the buying committee nurture should find (and a
    front desk, an assistant and a helpdesk it should rank below them). Older than each
    account's last touch, and Riley copies no one, so the board's story stays as it was.
    Appended so earlier ids stay put."""
    agenda = "Cold-chain workshop agenda"
    desk = "Front Desk <frontdesk@summitfoods.com>"
    helpdesk = "IT Helpdesk <helpdesk@brightline.co>"
    return [
        Mail(
            58,
            p["kate"],
            (REP,),
            agenda,
            "Riley, the agenda; copying Luis and Raj.",
            True,
            cc=(LUIS, p["raj"]),
        ),
        Mail(57, REP, (p["kate"],), f"Re: {agenda}", "Kate, looks good.", True, reply_to=agenda),
        Mail(
            56,
            p["kate"],
            (REP,),
            "Parking for the workshop",
            "Visitor parking is B.",
            True,
            cc=(desk,),
        ),
        Mail(
            50,
            p["kate"],
            (REP,),
            "Workshop room booking",
            "Paula booked room 4.",
            True,
            cc=(PAULA,),
        ),
        Mail(
            44,
            p["kate"],
            (REP,),
            "Workshop follow-up: budget owner",
            "Copying Anna in procurement, who owns the budget, and Luis.",
            True,
            cc=(ANNA, LUIS),
        ),
        Mail(
            175,
            p["ingrid"],
            (REP,),
            "Dock scheduling",
            "Riley, Marcus runs the docks.",
            True,
            cc=(p["marcus"],),
        ),
        Mail(
            17,
            p["ben"],
            (REP,),
            "Pilot data access",
            "Copying Carlos (IT) for access.",
            True,
            cc=(CARLOS, helpdesk),
        ),
        Mail(
            7.5,
            p["aisha"],
            (REP,),
            "Budget sign-off",
            "Hannah signs off; copying her.",
            True,
            cc=(HANNAH,),
        ),
    ]
