"""California's display and link duties beside Global Privacy Control: gpc-status-not-displayed
(regulation § 7025(c)(6)) and opt-out-link-missing (Civ. Code § 1798.135(a)), each where it fires
and its near misses, judged from what the GPC visit's pages showed (``page_texts``)."""

from __future__ import annotations

from datetime import UTC, datetime

from leakmap import records as r
from tests.analysis_store import StoreBuilder, request, store_fixture
from tests.test_analysis_gpc import FB_JS, FB_TR, SITE

b = store_fixture()
PIXEL = [request(FB_JS, 0.5), request(FB_TR, 0.8, resource_type="Image", initiator_url=FB_JS)]
FOOTER = {"text": "Your Privacy Choices", "href": SITE + "privacy-choices", "label": ""}


def shown(text: str, links=(), controls=()) -> r.PageText:
    return r.PageText(page_url=SITE, frame_url=SITE, text=text, links=list(links), controls=list(controls), time=1.0)


def findings(b: StoreBuilder, rule: str):
    return [f for f in b.findings() if f.rule == rule]


def scenario(b: StoreBuilder, *, honour: bool, page: r.PageText | None, baseline=PIXEL) -> None:
    b.visit("baseline", [request(SITE, 0.0, resource_type="Document"), *baseline])
    b.visit("gpc", [request(SITE, 0.0, resource_type="Document"), *([] if honour else PIXEL),
                    *([page] if page else [])])


def test_the_status_shown_under_gpc_is_the_display(b):
    scenario(b, honour=True, page=shown("Coffee beans\nOpt-Out Request Honored\nShop now", [FOOTER]))
    assert findings(b, "gpc-status-not-displayed") == [] and findings(b, "gpc-honoured")


def test_no_status_shown_is_a_finding_citing_the_regulation(b):
    scenario(b, honour=True, page=shown("Coffee beans. We respect your privacy.", [FOOTER]))
    [f] = findings(b, "gpc-status-not-displayed")
    assert f.severity == "medium" and f.phase == "gpc" and f.domain == "maison-exemple.fr"
    assert [c["cite"] for c in f.evidence["statutes"]] == ["Cal. Code Regs. tit. 11, § 7025(c)(6)"]
    assert f.evidence["sells_or_shares"] == ["facebook.com", "facebook.net"] and f.evidence["pages"] == [SITE]
    assert f.title.endswith("(Cal. Code Regs. tit. 11, § 7025(c)(6))")
    assert findings(b, "opt-out-link-missing") == []  # honoured: the frictionless exemption


def test_a_toggle_in_its_opted_out_state_is_a_display(b):
    toggle = {"label": "Do Not Sell or Share My Personal Information", "checked": True, "role": "switch"}
    scenario(b, honour=True, page=shown("Privacy choices", [FOOTER], [toggle]))
    assert findings(b, "gpc-status-not-displayed") == []


def test_near_misses_no_sale_no_record_no_california(tmp_path):
    analytics = [request("https://region1.google-analytics.com/g/collect?v=2&tid=G-AB12CD34EF", 0.5,
                         resource_type="Ping")]
    quiet = StoreBuilder(tmp_path / "quiet.db")  # sells nothing: nothing to display
    scenario(quiet, honour=True, page=shown("Coffee beans"), baseline=analytics)
    blind = StoreBuilder(tmp_path / "blind.db")  # an older store: no page text recorded, nothing judged
    scenario(blind, honour=True, page=None)
    colorado = StoreBuilder(tmp_path / "co.db", config={"jurisdiction": ["us-co"]})
    scenario(colorado, honour=True, page=shown("Coffee beans"))
    before = StoreBuilder(tmp_path / "2025.db")  # scanned before § 7025(c)(6) took effect
    before.store.db.execute("update scans set started_at = ?", [datetime(2025, 6, 1, tzinfo=UTC).timestamp()])
    before.store.db.conn.commit()
    scenario(before, honour=True, page=shown("Coffee beans"))
    for store in (quiet, blind, colorado, before):
        assert findings(store, "gpc-status-not-displayed") == [], store.path.name
        store.store.close()


def test_a_site_that_ignores_gpc_needs_the_opt_out_link(tmp_path):
    none = StoreBuilder(tmp_path / "none.db")
    scenario(none, honour=False, page=shown("Coffee beans", [{"text": "About us", "href": SITE + "about"}]))
    [f] = findings(none, "opt-out-link-missing")
    assert f.severity == "medium" and f.evidence["pages"] == [SITE]
    assert "Cal. Civ. Code § 1798.135(a)" in [c["cite"] for c in f.evidence["statutes"]]
    assert findings(none, "gpc-status-not-displayed")  # and it does not say whether it honoured it
    with_link = StoreBuilder(tmp_path / "link.db")
    scenario(with_link, honour=False, page=shown("Coffee beans", [
        {"text": "", "href": SITE + "dns", "label": "Do Not Sell or Share My Personal Information"}]))
    assert findings(with_link, "opt-out-link-missing") == []  # an icon link named by its label
    for store in (none, with_link):
        store.store.close()
