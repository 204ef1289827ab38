"""Check the fixture sites' ``_expect.toml`` against a real Chromium (a maintenance aid, not a test).

    python -m tests.web.verify [HOST ...] [--browser PATH] [-v]

For each fixture site (a directory of ``sites/`` holding an ``_expect.toml``) and each phase, a
fresh Chromium profile that allows third-party cookies visits the site the way leakmap's crawler
is specified to: ``baseline`` visits every page of ``pages``; ``accept``/``reject`` load the
landing page, click the banner button, reload, then visit every page. Each page is entered at
DOMContentLoaded (a page whose load event never fires is visited like any other), scrolled,
kept open until the server has been quiet for a moment (at least 2.5 s, so timers fire), then
left (about:blank, then closed) so page-hide beacons leave. The third parties are taken from the test web's own request
log, so this checks the expectations independently of leakmap's crawler.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from leakmap.blocklists.domains import registrable_domain as registrable
from tests.web.server import TestWeb, expectations

MIN_DWELL, QUIET, CAP = 2.5, 0.8, 20.0


class Checker:
    def __init__(self, web: TestWeb, playwright, browser: str, verbose: bool):
        self.web, self.pw, self.browser, self.verbose = web, playwright, browser, verbose

    def settle(self, since: float) -> None:
        """Wait until the server saw no request for QUIET s, and at least MIN_DWELL s since *since*."""
        start = time.time()
        while time.time() - start < CAP:
            last = max((e.time for e in self.web.log[-50:]), default=0)
            now = time.time()
            if now - since >= MIN_DWELL and now - last >= QUIET:
                return
            time.sleep(0.1)

    def visit(self, context, url: str, action: str | None = None, selector: str | None = None) -> float | None:
        from playwright.sync_api import Error as PlaywrightError

        page = context.new_page()
        try:  # from DOMContentLoaded, as the crawler: a page whose load event never fires is audited too
            page.goto(url, wait_until="domcontentloaded")
        except PlaywrightError:  # a page meant to fail (a download, a redirect loop, a script that never returns)
            page.close()
            self.settle(time.time() - MIN_DWELL + QUIET)
            return None
        self.settle(time.time())
        for _ in range(8):
            page.mouse.wheel(0, 700)
            time.sleep(0.05)
        self.settle(time.time() - MIN_DWELL + QUIET)
        t_action = None
        if action:
            t_action = time.time()
            page.click(selector, timeout=5000)
            self.settle(time.time() - MIN_DWELL + QUIET)
            page.reload(wait_until="domcontentloaded")
            self.settle(time.time())
        page.goto("about:blank")  # leave like a visitor: pagehide / visibilitychange handlers and their beacons run
        page.close(run_before_unload=True)
        self.settle(time.time() - MIN_DWELL + QUIET)
        return t_action

    def phase(self, site: str, expect: dict, phase: str) -> tuple[set, set, set, list[str]]:
        profile = Path(tempfile.mkdtemp(prefix="leakmap-verify-"))
        (profile / "Default").mkdir()
        (profile / "Default" / "Preferences").write_text(json.dumps(
            {"profile": {"cookie_controls_mode": 0, "default_content_setting_values": {"cookies": 1}}}))
        # Chromium started here and driven over CDP: launched by Playwright, its flags make page-hide
        # beacons unreliable
        args = [self.browser, "--headless", "--remote-debugging-port=0", f"--user-data-dir={profile}",
                f"--host-resolver-rules={self.web.host_rules}", "--ignore-certificate-errors", "--lang=fr-FR",
                "--disable-background-networking", "--disable-component-update", "--no-first-run", "--window-size=1280,900",
                # some CMPs (vanilla-cookieconsent) hide their banner from navigator.webdriver browsers
                "--disable-blink-features=AutomationControlled"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--no-sandbox")
        process = subprocess.Popen([*args, "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = profile / "DevToolsActivePort"
        while not port_file.exists() or len(port_file.read_text().split()) < 2:
            time.sleep(0.05)
        browser = self.pw.chromium.connect_over_cdp(f"http://127.0.0.1:{port_file.read_text().split()[0]}")
        context = browser.contexts[0]
        start = time.time()
        try:
            origin = expect["start"].rstrip("/")
            pages = expect.get("pages", ["/"])
            t_action = None
            if phase != "baseline":
                t_action = self.visit(context, expect["start"], phase, expect.get(f"{phase}_selector"))
            for path in pages:
                self.visit(context, origin + path)
        finally:
            browser.close()
            process.terminate()
            process.wait(10)
            shutil.rmtree(profile, ignore_errors=True)
        own = registrable(site)
        entries = self.web.requests_between(start, time.time())
        served = set(self.web.sites) | {h for h, _ in self.web.endpoints} | {h for h, _ in self.web.websockets}
        # hosts the test web does not serve are Chromium's own background traffic, not the page's
        unknown = sorted({e.host for e in entries if e.host not in served})
        entries = [e for e in entries if e.host in served]
        third = {registrable(e.host) for e in entries if registrable(e.host) != own}
        before = {registrable(e.host) for e in entries if t_action and e.time < t_action and registrable(e.host) != own}
        after = {registrable(e.host) for e in entries if t_action and e.time >= t_action and registrable(e.host) != own}
        if self.verbose:
            for e in entries:
                mark = "<" if t_action and e.time < t_action else " "
                print(f"      {mark} {e.status} {e.method} {e.url[:150]}")
        return third, before, after, unknown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("hosts", nargs="*")
    # Debian's /usr/bin/chromium is a wrapper adding --disable-pings, which also stops page-hide beacons
    debian = Path("/usr/lib/chromium/chromium")
    parser.add_argument("--browser", default=str(debian) if debian.exists() else "/usr/bin/chromium")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    failures = 0
    with TestWeb() as web, sync_playwright() as pw:
        checker = Checker(web, pw, args.browser, args.verbose)
        for site, expect in expectations(args.hosts).items():
            print(site)
            for phase in ("baseline", "accept", "reject"):
                if phase != "baseline" and not expect.get("banner"):
                    wanted = expect["phases"][phase]
                    got, before, after, unknown = checker.phase(site, {**expect, "banner": False}, "baseline")
                else:
                    wanted = expect["phases"][phase]
                    got, before, after, unknown = checker.phase(site, expect, phase)
                ok = got == set(wanted["third_parties"])
                if "before_action" in wanted:
                    ok = ok and before == set(wanted["before_action"])
                if "after_action" in wanted:
                    ok = ok and after == set(wanted["after_action"])
                failures += not ok
                print(f"  {phase:8} {'ok ' if ok else 'BAD'} {sorted(got)}")
                if not ok:
                    print(f"           expected {sorted(wanted['third_parties'])}")
                    if "before_action" in wanted:
                        print(f"           before action {sorted(before)}, expected {sorted(wanted['before_action'])}")
                    if "after_action" in wanted:
                        print(f"           after action {sorted(after)}, expected {sorted(wanted['after_action'])}")
                if unknown:
                    print(f"           hosts the test web does not serve: {unknown}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
