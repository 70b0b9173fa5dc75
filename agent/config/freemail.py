"""Free-mail domains: anyone can have an address there, so none can stand for an account.

An account with ``gmail.com`` among its domains would make every Gmail user in the rep's
mail (friends, family, recruiters, other clients' staff writing from home) a contact of
that account: touches that never happened, and a board that lies. The config refuses it,
naming the account and the domain (see ``agent.config.schema.Account``).
"""

from __future__ import annotations

# The big providers under every country ending they use, and the rest by name.
_BRANDS = frozenset(
    {"gmail", "googlemail", "hotmail", "outlook", "live", "msn", "yahoo", "ymail", "aol", "gmx"}
)
_ENDINGS = frozenset(
    {
        "com", "net", "org", "fr", "de", "it", "es", "nl", "be", "at", "ch", "ie", "pt", "se",
        "dk", "no", "fi", "pl", "cz", "ru", "jp", "in", "ca", "co.uk", "com.au", "co.jp",
        "co.in", "co.nz", "com.br", "com.mx", "com.ar", "co.za", "com.sg", "com.tr",
    }
)  # fmt: skip
_OTHERS = frozenset(
    {
        "icloud.com", "me.com", "mac.com", "proton.me", "protonmail.com", "pm.me",
        "tutanota.com", "tuta.io", "fastmail.com", "hey.com", "zoho.com", "zohomail.com",
        "mail.com", "web.de", "t-online.de", "freenet.de", "orange.fr", "free.fr",
        "laposte.net", "sfr.fr", "wanadoo.fr", "libero.it", "virgilio.it", "seznam.cz",
        "mail.ru", "yandex.ru", "yandex.com", "qq.com", "163.com", "126.com", "naver.com",
        "hanmail.net", "rediffmail.com", "comcast.net", "verizon.net", "att.net",
        "btinternet.com", "sky.com", "bigpond.com", "shaw.ca", "rogers.com",
    }
)  # fmt: skip


def is_free_mail(domain: str) -> bool:
    """``gmail.com``, ``hotmail.co.uk``, ``icloud.com`` ...; not ``mail.acme.com``."""
    domain = domain.lower().strip(".")
    brand, _, ending = domain.partition(".")
    return domain in _OTHERS or (brand in _BRANDS and ending in _ENDINGS)
