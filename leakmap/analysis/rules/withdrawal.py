"""Rules about withdrawing consent (GDPR art. 7(3): as easy to withdraw as to give).

They read the consent rows of a phase that withdraws (``leakmap.phases``: an action whose moment
is after-withdrawal): its first row (the accept) and its ``withdraw`` row, whose ``details`` say
how the choice was reopened (``reopen``: ``means`` link / button / floating-button / api,
``found``: a visitor could do it, ``text``, ``call``, ``where`` and ``path``: the page it was
found on and the pages a visitor goes through to get there, ``looked_at``: every page looked at),
the steps each part took (``reopen_clicks``, ``refuse_clicks``, ``navigations``, ``steps_seen``:
every click, key press and navigation with its time) and the timeline. Nothing is judged when consent was never given in the phase (no banner, the accept
failed): there is nothing to withdraw. What happens after the withdrawal (tracking, cookies) is
judged by the request and cookie rules at the after-withdrawal moment.
"""

from __future__ import annotations

from typing import Any

from leakmap.analysis.data import ConsentState, SiteData
from leakmap.analysis.findings import AFTER_WITHDRAWAL, make
from leakmap.analysis.parties import Parties
from leakmap.phases import phase as phase_of
from leakmap.records import Finding


def clicks(c: ConsentState) -> int:
    """The steps an action took: those seen (every click in every frame, the key presses that
    closed a pop-up, the pages a visitor had to go to) when recorded, else the engine's own count
    (an action taken through a platform's API clicks nothing)."""
    return len(c.details.get("steps_seen") or ()) or c.steps


def _places(looked: list[dict[str, Any]]) -> str:
    """``the page of the withdrawal, the landing page and the privacy policy page``."""
    names = [str(e.get("what")) for e in looked]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _withdrawals(site: SiteData) -> list[tuple[str, ConsentState, ConsentState]]:
    """(phase, accept row, withdraw row) for every phase that gave consent and then tried to withdraw it."""
    out = []
    for phase in site.phases:
        if not any(a.after == AFTER_WITHDRAWAL for a in phase_of(phase).actions) or not site.acted(phase):
            continue
        given, withdrawn = site.action_state(phase), site.action_state(phase, AFTER_WITHDRAWAL)
        if given is not None and withdrawn is not None and withdrawn is not given \
                and withdrawn.details.get("attempted", True):
            out.append((phase, given, withdrawn))
    return out


def _summary(c: ConsentState) -> dict[str, Any]:
    return {"action": c.action, "method": c.method, "success": c.success, "verified": c.verified, "time": c.time,
            "clicks": clicks(c), "steps_seen": c.details.get("steps_seen", []), "error": c.error,
            "screenshot_before": c.screenshot_before, "screenshot_after": c.screenshot_after}


def _evidence(given: ConsentState, withdrawn: ConsentState) -> dict[str, Any]:
    return {"accept": _summary(given),
            "withdrawal": {**_summary(withdrawn), "reopen": withdrawn.details.get("reopen", {}),
                           "reopened_layer": withdrawn.details.get("reopened_layer"),
                           "timeline": withdrawn.details.get("timeline", []),
                           "screenshots_reopened": withdrawn.details.get("screenshots_reopened", [])}}


def withdrawal_not_found(site: SiteData, parties: Parties) -> list[Finding]:
    """No way for a visitor to reopen the consent choice was found (no link, button or floating
    button that opened something to refuse in), whether or not leakmap then withdrew through the
    consent platform's API to go on with the audit."""
    out = []
    for phase, given, withdrawn in _withdrawals(site):
        reopen = withdrawn.details.get("reopen") or {}
        if reopen.get("found"):
            continue
        api = f" (leakmap reopened it through {reopen['call']} to go on)" if reopen.get("means") == "api" else ""
        looked = reopen.get("looked_at") or []
        where = f"looked on {_places(looked)}" if looked else "on the page"
        out.append(make(site, "withdrawal-not-found", "medium", phase=phase, domain=site.domain,
                        title=f"no way to withdraw consent was found ({where}): no cookie-settings link or button, "
                              f"no floating consent button{api}",
                        evidence={**_evidence(given, withdrawn), "looked_at": looked},
                        page=site.page(withdrawn.visit_id)))
    return out


def withdrawal_harder_than_consent(site: SiteData, parties: Parties) -> list[Finding]:
    """Withdrawing through the page's own control took more clicks (reopening included) than accepting."""
    out = []
    for phase, given, withdrawn in _withdrawals(site):
        reopen = withdrawn.details.get("reopen") or {}
        if not reopen.get("found") or not withdrawn.success or not given.success:
            continue  # not found: withdrawal-not-found says so; not done: nothing to count
        accept, withdraw = clicks(given), clicks(withdrawn)
        if withdraw <= accept:
            continue
        how = f"the {str(reopen.get('means')).replace('-', ' ')} \u201c{reopen.get('text')}\u201d"
        navigations = len(reopen.get("path") or ())
        if navigations:  # the control was on another page: getting there is part of withdrawing
            how = f"going to {reopen.get('where')} ({navigations} page{'s' if navigations > 1 else ''}), {how}"
        out.append(make(site, "withdrawal-harder-than-consent", "medium", phase=phase, domain=site.domain,
                        title=f"withdrawing consent took {withdraw} steps ({how}, then the refusal), "
                              f"accepting took {accept}",
                        evidence={**_evidence(given, withdrawn), "accept_clicks": accept, "withdraw_clicks": withdraw,
                                  "withdraw_navigations": navigations},
                        page=site.page(withdrawn.visit_id)))
    return out
