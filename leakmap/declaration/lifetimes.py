"""Declared lifetimes in the words sites use: "2 years", "13 mois", "1 Jahr", "Session", "90 days".

A text is understood only when it is one amount and one unit (or a session / end-of-visit word);
anything else ("until you log out", "1 year or 13 months", "persistent") gives None: a lifetime
that is not understood is never compared.
"""

from __future__ import annotations

import re

from leakmap.wording import normalise

DAY = 86400.0
# unit words (singular and plural, several languages) -> days
_UNITS: dict[str, float] = {}
for _days, _words in (
    (1 / 86400, "s sec secs second seconds seconde secondes sekunde sekunden segundo segundos secondo secondi seconde"),
    (1 / 1440, "min mins minute minutes minuten minuto minutos minuti minuut minuten"),
    (1 / 24, "h hr hrs hour hours heure heures stunde stunden hora horas ora ore uur"),
    (1, "d day days jour jours tag tage tagen día días dia dias giorno giorni dag dagen"),
    (7, "w wk week weeks semaine semaines woche wochen semana semanas settimana settimane"),
    (30.4375, "mo month months mois monat monate monaten mes meses mese mesi maand maanden"),
    (365.25, "y yr yrs year years an ans année années jahr jahre jahren año años ano anos anno anni jaar jaren"),
):
    for _word in _words.split():
        _UNITS.setdefault(_word, _days)

_SESSION = re.compile(r"^(session|sitzung|sesión|sessione|sessie|end of (the )?session|fin de (la )?session|"
                      r"sitzungsende|ende der sitzung|when the browser is closed|browser session)$")
_AMOUNT = re.compile(r"(\d+(?:[.,]\d+)?)\s*([^\W\d_]+)\.?")
_FILLER = re.compile(r"^(expires? (after|in)|after|valid for|during|for|pendant|durant|nach|für|während|"
                     r"durante|per|voor)\s+|\s+(after (it is )?set|after creation)$")


def parse_days(text: str | None) -> float | None:
    """Days a declared lifetime text stands for (0: a session cookie), or None when not understood."""
    value = normalise(text or "")
    if not value:
        return None
    if _SESSION.match(value):
        return 0.0
    value = _FILLER.sub("", value).strip()
    matches = _AMOUNT.findall(value)
    if len(matches) != 1 or _AMOUNT.sub("", value).strip(" ,;") != "":
        return None
    amount, unit = matches[0]
    days = _UNITS.get(unit)
    return None if days is None else round(float(amount.replace(",", ".")) * days, 4)


def describe(days: float | None) -> str:
    """A lifetime in days as people write it: "session", "90 days", "2 years"."""
    if days is None:
        return "session"
    if days >= 365:
        years = days / 365.25
        return f"{years:.1f} years".replace(".0 ", " ") if round(years, 1) != 1 else "1 year"
    if days >= 1:
        return f"{days:.0f} day{'s' if round(days) != 1 else ''}"
    hours = days * 24
    return f"{hours:.0f} hour{'s' if round(hours) != 1 else ''}" if hours >= 1 else f"{days * 1440:.0f} minutes"
