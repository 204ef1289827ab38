"""The withdraw phase in analysis: the moments of a phase that takes two consent actions (accept,
then withdraw), and the rules about withdrawing -- tracking and cookies after it, no way to
withdraw, withdrawing harder than consenting -- each where it fires and next to a near miss."""

from __future__ import annotations

import pytest

from leakmap import records as r
from leakmap.analysis.findings import window
from leakmap.phases import AFTER_ACCEPT, AFTER_WITHDRAWAL, BEFORE, PHASE_OF, moments_of
from tests.analysis_store import (
    CLICK,
    DAY,
    StoreBuilder,
    cookie,
    jar,
    knowledge,
    request,
    store_fixture,
)
from tests.test_analysis_consent import tc_string

SITE = "https://www.maison-exemple.fr/"
WITHDRAWN = CLICK + 20  # seconds into the phase: the withdrawal's deciding click (on the second page)
FBQ = "https://connect.facebook.net/en_US/fbevents.js"
PIXEL = "https://www.facebook.com/tr/?id=1&ev=PageView"

b = store_fixture()


def seen(n: int) -> list[dict]:
    """``steps_seen`` of an action that took ``n`` clicks."""
    return [{"time": 0.0, "text": f"click {i}", "tag": "button", "trusted": True} for i in range(n)]


LOOKED = [{"page": f"{SITE}page-1.html", "what": "the page of the withdrawal", "found": False, "tried": []},
          {"page": SITE, "what": "the landing page", "found": False, "tried": []},
          {"page": f"{SITE}privacy.html", "what": "the privacy policy page", "link": "Privacy", "found": False,
           "tried": []}]


def withdrawn(b: StoreBuilder, *, done: bool = True, found: bool = True, means: str = "link",
              accept: int = 1, withdraw: int = 2, accept_steps: int | None = None,
              path: tuple[str, ...] = ()) -> None:
    """The withdraw phase's two consent rows: accept on the landing page, then the withdrawal
    (its control found on the page, or at the end of ``path``; or not found after looking on
    the page, the landing page and the privacy policy page)."""
    b.consent("withdraw", steps=accept if accept_steps is None else accept_steps, details={"steps_seen": seen(accept)})
    reopen = {"found": found, "means": means, "clicks": 1 if means != "api" else 0,
              **({"text": "Cookie settings"} if means != "api" else {"call": "klaro.show()"}),
              "looked_at": LOOKED if not found else LOOKED[:1 + len(path)],
              **({"where": "the landing page", "path": list(path)} if path else {})}
    b.later("withdraw", at=WITHDRAWN, done=done, steps=withdraw,
            details={"reopen": reopen, "steps_seen": seen(withdraw), "reopen_clicks": reopen["clicks"]})


def test_the_withdraw_phase_row():
    row = PHASE_OF["withdraw"]
    assert not row.default and row.action == "accept"
    assert [(a.name, a.after) for a in row.actions] == [("accept", AFTER_ACCEPT), ("withdraw", AFTER_WITHDRAWAL)]
    # withdraw on the middle page of the list; with one page, on the landing page after accepting
    assert [row.later[0].seq(n) for n in (1, 2, 3, 5)] == [0, 1, 1, 2]
    assert moments_of(["withdraw"]) == (BEFORE, AFTER_ACCEPT, AFTER_WITHDRAWAL)
    assert AFTER_WITHDRAWAL not in moments_of(["baseline", "accept", "reject"])


def test_a_row_is_stamped_against_every_action_before_it():
    def stamped(at: float) -> r.Evidence:
        e = r.Evidence(time=at)
        e.stamp(100.0, [120.0])
        return e

    before, between, after = stamped(99.0), stamped(110.0), stamped(121.5)
    assert (before.before_consent, before.actions_before, before.t_consent) == (True, 0, -1.0)
    assert (between.before_consent, between.actions_before, between.t_consent) == (False, 1, 10.0)
    assert (after.before_consent, after.actions_before, after.t_consent) == (False, 2, 1.5)  # from the withdrawal
    assert [window("withdraw", e.before_consent, e.actions_before) for e in (before, between, after)] == [
        BEFORE, AFTER_ACCEPT, AFTER_WITHDRAWAL]
    # the other phases keep their single action; a store from before the count reads as after the first
    assert window("reject", False, None) == "after-reject" and window("withdraw", False, None) == AFTER_ACCEPT


def test_tracking_after_withdrawal_fires_and_only_after_it(b):
    # Scenario a reviewer signs: the visitor accepts, Meta's pixel fires (consented); the visitor
    # withdraws on the second page, and the pixel fires again on the third: Meta was contacted
    # after the withdrawal (one finding per party). The consented requests are no finding.
    withdrawn(b)
    b.visit("withdraw", [request(SITE, 1.0, resource_type="Document"), request(FBQ, CLICK + 2),
                         request(PIXEL, CLICK + 3, resource_type="Image")])
    b.visit("withdraw", [request(PIXEL, WITHDRAWN - 2, resource_type="Image")], seq=1)
    b.visit("withdraw", [request(FBQ, WITHDRAWN + 10), request(PIXEL, WITHDRAWN + 11, resource_type="Image")], seq=2)
    found = {f.domain: f for f in b.findings("tracking-after-withdrawal")}
    assert set(found) == {"facebook.net", "facebook.com"}
    pixel = found["facebook.com"]
    assert (pixel.severity, pixel.moment, pixel.phases) == ("high", AFTER_WITHDRAWAL, ["withdraw"])
    assert pixel.evidence["requests"] == 1 and pixel.evidence["request"]["t_consent"] == 11.0  # from the withdrawal
    assert pixel.evidence["consent_action"]["action"] == "withdraw"
    assert pixel.page == f"{SITE}page-2.html" and not pixel.unverified
    assert b.findings("tracking-before-consent") == []


def test_without_a_withdrawal_the_rest_stays_consented(b):
    # Near miss: the withdrawal never happened (no way to reopen the choice), so the requests on
    # the later pages stay after "accept all": nothing after a withdrawal to judge.
    withdrawn(b, done=False, found=False, means="none")
    b.visit("withdraw", [request(PIXEL, CLICK + 3, resource_type="Image")])
    b.visit("withdraw", [request(PIXEL, WITHDRAWN + 11, resource_type="Image")], seq=2)
    assert b.findings("tracking-after-withdrawal") == [] and b.findings("tracking-before-consent") == []
    assert b.findings("cookie-after-withdrawal") == []


def test_cookies_after_withdrawal_written_sent_or_merely_left(b):
    # Scenario: cookies set while consent was given. After the withdrawal Meta's pixel writes _fbp
    # again (high), the DoubleClick cookie rides along to its domain (high), Bing's _uetvid and
    # _uetsid and Google's _gcl_au are left in the browser and never sent (info, its own rule: one
    # per party, listing its cookies). Near misses: _ga, deleted by the consent platform at the
    # withdrawal, and MUID, sent only before the withdrawal, are no finding.
    withdrawn(b)
    fbp = "fb.1.1790000000312.5694069480"
    b.visit("withdraw", [
        cookie("_fbp", fbp, CLICK + 2, host="www.maison-exemple.fr", domain=".maison-exemple.fr", origin="js",
               script_url=FBQ, lifetime=90 * DAY),
        cookie("IDE", "AHWqTUk9x2LmQ0pZ", CLICK + 2, host="ad.doubleclick.net", domain=".doubleclick.net"),
        cookie("_uetvid", "3f9a1c2be81d11ef9d5e2b7c4a6f8e01", CLICK + 2, host="www.maison-exemple.fr",
               domain=".maison-exemple.fr", origin="js", script_url="https://bat.bing.com/bat.js"),
        cookie("_uetsid", "8b1d7c40e81d11efa0c1f7f4d3b2a9e1", CLICK + 2, host="www.maison-exemple.fr",
               domain=".maison-exemple.fr", origin="js", script_url="https://bat.bing.com/bat.js"),
        cookie("_gcl_au", "1.1.1593827461.1790000000", CLICK + 2, host="www.maison-exemple.fr",
               domain=".maison-exemple.fr", origin="js", script_url="https://www.googletagmanager.com/gtag/js"),
        cookie("_ga", "GA1.1.7123649219.1790000000", CLICK + 2, host="www.maison-exemple.fr",
               domain=".maison-exemple.fr", origin="js", script_url="https://www.googletagmanager.com/gtag/js"),
        cookie("MUID", "0A1B2C3D4E5F6A7B", CLICK + 2, host="bat.bing.com", domain=".bing.com"),
        request("https://bat.bing.com/action/0?ti=1", CLICK + 3, request_headers={"cookie": "MUID=0A1B2C3D4E5F6A7B"}),
    ])
    b.visit("withdraw", [
        jar("_uetvid", "3f9a1c2be81d11ef9d5e2b7c4a6f8e01", WITHDRAWN - 1, domain=".maison-exemple.fr",
            moment="before-withdraw"),
        jar("_ga", "GA1.1.7123649219.1790000000", WITHDRAWN - 1, domain=".maison-exemple.fr", moment="before-withdraw"),
        jar("_uetvid", "3f9a1c2be81d11ef9d5e2b7c4a6f8e01", WITHDRAWN + 1, domain=".maison-exemple.fr",
            moment="after-withdraw"),
        jar("_uetsid", "8b1d7c40e81d11efa0c1f7f4d3b2a9e1", WITHDRAWN + 1, domain=".maison-exemple.fr",
            moment="after-withdraw"),
        jar("_gcl_au", "1.1.1593827461.1790000000", WITHDRAWN + 1, domain=".maison-exemple.fr",
            moment="after-withdraw"),
        jar("IDE", "AHWqTUk9x2LmQ0pZ", WITHDRAWN + 1, domain=".doubleclick.net", moment="after-withdraw"),
    ], seq=1)
    b.visit("withdraw", [
        cookie("_fbp", fbp, WITHDRAWN + 5, host="www.maison-exemple.fr", domain=".maison-exemple.fr", origin="js",
               script_url=FBQ, lifetime=90 * DAY),
        request("https://ad.doubleclick.net/ddm/activity/src=1", WITHDRAWN + 6, resource_type="Image",
                request_headers={"cookie": "IDE=AHWqTUk9x2LmQ0pZ"}),
    ], seq=2)
    high = {f.evidence.get("cookie", f.evidence.get("set_before_withdraw"))["name"]: f
            for f in b.findings("cookie-after-withdrawal")}
    assert set(high) == {"_fbp", "IDE"}
    assert "written after consent was withdrawn" in high["_fbp"].title
    assert high["_fbp"].evidence["writes_after_withdraw"] == 1 and high["_fbp"].evidence["cookie"]["t_consent"] == 5.0
    assert high["IDE"].evidence["sent_in"] == "cookie header" and "set before the withdrawal" in high["IDE"].title
    assert all(f.severity == "high" and f.moment == AFTER_WITHDRAWAL for f in high.values())
    left = {f.domain: f for f in b.findings("cookies-not-deleted-on-withdrawal")}
    assert set(left) == {"bing.com", "googletagmanager.com"}
    bing = left["bing.com"]
    assert (bing.severity, bing.moment, bing.phase) == ("info", AFTER_WITHDRAWAL, "withdraw")
    assert [c["name"] for c in bing.evidence["cookies"]] == ["_uetsid", "_uetvid"]
    assert all(c["left_in_place"]["name"] == c["set_before_withdraw"]["name"] == c["name"] for c in bing.evidence["cookies"])
    assert bing.title.startswith("2 cookies of ") and "_uetsid (maison-exemple.fr), _uetvid (maison-exemple.fr)" in bing.title
    assert [c["name"] for c in left["googletagmanager.com"].evidence["cookies"]] == ["_gcl_au"]
    # the same facts after "reject all" keep their own rule; nothing here was refused that way
    assert b.findings("cookie-after-reject") == []


def test_no_way_to_withdraw(tmp_path):
    # Scenario: after accepting, the page shows no cookie-settings link, button or floating button;
    # leakmap withdrew through the platform's API to go on: a visitor could not have (medium).
    b = StoreBuilder(tmp_path / "api.db", SITE)
    withdrawn(b, found=False, means="api", withdraw=1)
    b.visit("withdraw", [request(SITE, 1.0, resource_type="Document")])
    [f] = b.findings("withdrawal-not-found")
    assert (f.severity, f.phase, f.moment, f.domain) == ("medium", "withdraw", None, "maison-exemple.fr")
    assert "looked on the page of the withdrawal, the landing page and the privacy policy page" in f.title
    assert [e["page"] for e in f.evidence["looked_at"]] == [f"{SITE}page-1.html", SITE, f"{SITE}privacy.html"]
    assert "klaro.show()" in f.title and f.evidence["withdrawal"]["reopen"]["means"] == "api"
    assert b.findings("withdrawal-harder-than-consent") == []  # one fact: the way is missing
    # nothing at all found (no API either): the same finding
    c = StoreBuilder(tmp_path / "none.db", SITE)
    withdrawn(c, done=False, found=False, means="none")
    c.visit("withdraw", [request(SITE, 1.0, resource_type="Document")])
    assert [f.rule for f in c.findings("withdrawal-not-found")] == ["withdrawal-not-found"]
    # near misses: a visible control was found; consent was never given (no banner): nothing to withdraw
    d = StoreBuilder(tmp_path / "found.db", SITE)
    withdrawn(d)
    d.visit("withdraw", [request(SITE, 1.0, resource_type="Document")])
    assert d.findings("withdrawal-not-found") == []
    e = StoreBuilder(tmp_path / "never.db", SITE)
    e.consent("withdraw", clicked=False, banner=False, verified=False)
    e.store.add(r.ConsentRecord(site_id=e.site_id, phase="withdraw", action="withdraw",
                                details={"attempted": False}, error="not attempted"))
    e.visit("withdraw", [request(SITE, 1.0, resource_type="Document")])
    assert e.findings("withdrawal-not-found") == [] and e.findings("withdrawal-harder-than-consent") == []


@pytest.mark.parametrize(("accept", "withdraw", "fires"), [(1, 2, True), (1, 1, False), (2, 2, False)])
def test_withdrawing_harder_than_consenting(tmp_path, accept, withdraw, fires):
    # Scenario: accepted in one click; withdrawing took the footer link, then "Reject all" (two):
    # harder than consenting (medium). Near misses: a one-click "Withdraw consent" link, and a
    # banner that took as many clicks to accept as the withdrawal took.
    b = StoreBuilder(tmp_path / "leakmap.db", SITE)
    withdrawn(b, accept=accept, withdraw=withdraw)
    b.visit("withdraw", [request(SITE, 1.0, resource_type="Document")])
    found = b.findings("withdrawal-harder-than-consent")
    assert bool(found) is fires
    if fires:
        [f] = found
        assert f.severity == "medium" and (f.evidence["accept_clicks"], f.evidence["withdraw_clicks"]) == (1, 2)
        assert "took 2 steps" in f.title and "Cookie settings" in f.title and f.evidence["withdraw_navigations"] == 0


def test_going_to_the_page_that_has_the_control_is_a_step(tmp_path):
    # Scenario: the control is only on the landing page: the visitor goes there (a step), clicks
    # "Cookie settings", then "Reject all": three steps against one click to accept (medium).
    b = StoreBuilder(tmp_path / "leakmap.db", SITE)
    withdrawn(b, accept=1, withdraw=3, path=(SITE,))
    b.visit("withdraw", [request(SITE, 1.0, resource_type="Document")])
    [f] = b.findings("withdrawal-harder-than-consent")
    assert f.evidence["withdraw_navigations"] == 1 and f.evidence["withdraw_clicks"] == 3
    assert f.title == ("withdrawing consent took 3 steps (going to the landing page (1 page), the link \u201cCookie "
                       "settings\u201d, then the refusal), accepting took 1")
    assert b.findings("withdrawal-not-found") == []  # found, on another page: a visitor can


def test_clicks_are_those_seen_in_the_page(b):
    # The engine's own count of an accept (autoconsent may count clicks it did not make) yields to
    # the clicks the page saw: one click to accept, two to withdraw, harder.
    withdrawn(b, accept=1, accept_steps=2, withdraw=2)
    b.visit("withdraw", [request(SITE, 1.0, resource_type="Document")])
    [f] = b.findings("withdrawal-harder-than-consent")
    assert f.evidence["accept_clicks"] == 1


def test_rows_of_an_older_store_read_as_after_the_first_action(b):
    withdrawn(b)
    b.visit("withdraw", [request(PIXEL, WITHDRAWN + 11, resource_type="Image")], seq=2)
    b.store.db.execute("update requests set actions_before = null")
    b.store.db.conn.commit()
    assert b.findings("tracking-after-withdrawal") == []  # without the count, only the first action is known


def test_tcf_still_granting_after_withdrawal(b):
    # The page's TCF API still grants purposes after the withdrawal: a signal contradicting the
    # visitor's choice (high); granting after the accept is what was consented to.
    b.consent("withdraw", details={"tcf": {"tcString": tc_string([1, 2], [755])}})
    b.later("withdraw", at=WITHDRAWN, details={"reopen": {"found": True, "means": "link"},
                                               "tcf": {"tcString": tc_string([1], [755])}})
    [f] = b.findings("consent-signal-mismatch")
    assert (f.evidence["signal"], f.moment) == ("tcf-granted-after-withdrawal", AFTER_WITHDRAWAL)
    assert "after consent was withdrawn" in f.title


def test_the_gate_fails_an_unverified_withdrawal_not_a_missing_one(tmp_path):
    # with require_verified_consent, a withdrawal that reopened the choice but changed nothing
    # means the after-withdrawal evidence cannot be trusted (exit 2); finding no way to reopen
    # the choice is a finding, the audit itself ran
    from leakmap.analysis.audit import audit
    from leakmap.report import gate, model
    from leakmap.report.policy import Policy

    problems = {}
    for name, reopened in (("unverified", True), ("missing", False)):
        b = StoreBuilder(tmp_path / f"{name}.db", SITE, config={"phases": ["withdraw"]})
        b.consent("withdraw")
        b.later("withdraw", at=WITHDRAWN, done=reopened, verified=False, banner=reopened,
                error="the withdrawal could not be verified: no consent record changed" if reopened else "no way",
                details={"reopen": {"found": reopened, "means": "link" if reopened else None}})
        b.visit("withdraw", [request(SITE, 1.0, resource_type="Document")])
        b.store.end_scan(b.scan_id)
        report = model.build(audit(b.store, b.scan_id, knowledge()))
        problems[name] = gate.apply(report, Policy(require_verified_consent=True)).problems
    assert problems["missing"] == []
    [problem] = problems["unverified"]
    assert "withdraw phase's withdraw could not be verified" in problem and "no consent record changed" in problem


def test_cookies_deleted_on_withdrawal_near_miss(b):
    # Scenario: while consent was given, Meta wrote _fbp and GA wrote _ga; at the withdrawal the
    # consent platform deletes both, and Cloudflare's bot-management cookie (anti-fraud, not
    # tracking) stays. Nothing tracking is left in the browser: no finding of the rule.
    withdrawn(b)
    b.visit("withdraw", [
        cookie("_fbp", "fb.1.1790000000312.5694069480", CLICK + 2, host="www.maison-exemple.fr",
               domain=".maison-exemple.fr", origin="js", script_url=FBQ, lifetime=90 * DAY),
        cookie("_ga", "GA1.1.7123649219.1790000000", CLICK + 2, host="www.maison-exemple.fr",
               domain=".maison-exemple.fr", origin="js", script_url="https://www.googletagmanager.com/gtag/js"),
        cookie("__cf_bm", "Zx9s.kP3m-1790000000-1.0.1.1-qWm", CLICK + 2, host="www.maison-exemple.fr",
               domain=".maison-exemple.fr", lifetime=1800),
    ])
    b.visit("withdraw", [
        jar("_fbp", "fb.1.1790000000312.5694069480", WITHDRAWN - 1, domain=".maison-exemple.fr",
            moment="before-withdraw"),
        jar("_ga", "GA1.1.7123649219.1790000000", WITHDRAWN - 1, domain=".maison-exemple.fr", moment="before-withdraw"),
        jar("__cf_bm", "Zx9s.kP3m-1790000000-1.0.1.1-qWm", WITHDRAWN - 1, domain=".maison-exemple.fr",
            moment="before-withdraw", lifetime=1800),
        jar("__cf_bm", "Zx9s.kP3m-1790000000-1.0.1.1-qWm", WITHDRAWN + 1, domain=".maison-exemple.fr",
            moment="after-withdraw", lifetime=1800),
    ], seq=1)
    assert b.findings("cookies-not-deleted-on-withdrawal") == []
    assert b.findings("cookie-after-withdrawal") == []
