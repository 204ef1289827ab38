"""Finding and launching the Chromium that audits.

leakmap launches Chromium itself and connects Playwright over CDP instead of
letting Playwright launch it: that is the only way found to give every
browser context (one per phase) a normal visitor's cookie policy. Contexts
made by ``Browser.new_context()`` are off-the-record profiles and block
third-party cookies; off-the-record profiles read their settings through the
parent profile, so writing ``profile.cookie_controls_mode = 0`` ("allow
third-party cookies") into the parent profile's ``Preferences`` before start
lets every phase context store third-party cookies while sharing one browser.
``tests.test_browser_profile`` proves it.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from leakmap.crawler.config import ScanConfig

ENV_VAR = "LEAKMAP_BROWSER"
SYSTEM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
MAC_PATHS = (
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
)


# Chromium features that phone Google on their own; their traffic is not the audited site's.
_SERVICE_FEATURES = (
    "NetworkTimeServiceQuerying", "OptimizationHints", "MediaRouter", "Translate", "AutofillServerCommunication",
    "InterestFeedContentSuggestions", "CertificateTransparencyComponentUpdater", "PreconnectToSearch", "AimEnabled",
)
# A document that goes away while its frame navigates on (the consent click's reload, a script or a
# meta refresh moving to another page) still runs its pagehide handlers, and trackers beacon there.
# Two Chromium features run them in a RenderFrameHost the frame's DevTools session has already left
# for the new document, so those requests reach the server but no DevTools event: RenderDocument
# (on for every frame since Chromium 148: a new RenderFrameHost per document, the old one unloaded
# after the new one commits) and the back/forward cache (the old page is frozen into the cache,
# firing pagehide, after the swap). Without them a same-site navigation unloads the old document in
# the same frame, still attached. What the page sends is unchanged (pagehide's ``persisted`` is
# false: leakmap never goes back to a page); Playwright disables the cache in the browsers it launches.
_RECORDING_FEATURES = ("RenderDocument",)


class BrowserNotFound(Exception):
    """No usable Chromium; the message says how to get one."""


class BrowserLaunchError(Exception):
    """Chromium was found but did not start."""


def _unwrap(path: Path) -> Path:
    """Debian's /usr/bin/chromium is a shell wrapper that adds --disable-pings (which would hide
    hyperlink-auditing pings from the audit): use the binary it wraps."""
    try:
        head = path.read_bytes()[:4096]
    except OSError:
        return path
    if head.startswith(b"#!") and b"LIBDIR=/usr/lib/" in head:
        app = head.split(b"APPNAME=", 1)[-1].split(b"\n", 1)[0].decode().strip() or "chromium"
        real = Path("/usr/lib") / app / app
        if real.is_file() and os.access(real, os.X_OK):
            return real
    return path


def playwright_chromium() -> Path | None:
    """Playwright's own downloaded Chromium, if a ``playwright install`` put one there."""
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            path = Path(p.chromium.executable_path)
    except Exception:
        return None
    return path if path.is_file() else None


def system_chromium() -> Path | None:
    for name in SYSTEM_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    if platform.system() == "Darwin":
        for candidate in MAC_PATHS:
            if Path(candidate).is_file():
                return Path(candidate)
    return None


def find_browser(explicit: str | None = None) -> Path:
    """``--browser`` / ``$LEAKMAP_BROWSER``, then Playwright's Chromium, then a system Chromium/Chrome."""
    explicit = explicit or os.environ.get(ENV_VAR)
    if explicit:
        path = Path(explicit).expanduser()
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise BrowserNotFound(f"browser not found or not executable: {path} (from --browser / ${ENV_VAR})")
        return _unwrap(path)
    for finder in (playwright_chromium, system_chromium):
        path = finder()
        if path:
            return _unwrap(path)
    raise BrowserNotFound(
        "no Chromium found: run `playwright install chromium`, or install Chromium/Chrome "
        f"(Debian/Ubuntu: `apt-get install chromium`), or pass --browser PATH / set ${ENV_VAR}"
    )


def browser_version(path: Path) -> str:
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.strip()


def launch_args(config: ScanConfig, user_data_dir: Path) -> list[str]:
    width, height = config.viewport
    args = [
        "--remote-debugging-port=0",
        f"--user-data-dir={user_data_dir}",
        # closed networks hang on Chromium's own service traffic, which must stay out of the audit anyway
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-domain-reliability",
        "--disable-breakpad",
        "--disable-extensions",
        "--disable-component-extensions-with-background-pages",
        "--disable-features=" + ",".join((*_SERVICE_FEATURES, *_RECORDING_FEATURES)),
        "--disable-back-forward-cache",
        "--enable-features=SkipListAccountsWithoutGaiaCookies",
        "--no-first-run",
        "--no-default-browser-check",
        "--password-store=basic",
        "--use-mock-keychain",
        # some CMPs hide their banner from navigator.webdriver browsers
        "--disable-blink-features=AutomationControlled",
        # every page is a visitor's foreground tab: no throttled timers or paused renderers because
        # other phases' pages share the browser
        "--disable-background-timer-throttling",
        "--disable-backgrounding-occluded-windows",
        "--disable-renderer-backgrounding",
        "--disable-dev-shm-usage",
        "--mute-audio",
        f"--window-size={width},{height}",
        f"--lang={config.locale}",
    ]
    if config.headless:
        args.append("--headless")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to run as root otherwise
    if config.host_rules:
        args.append(f"--host-resolver-rules={config.host_rules}")
    if config.proxy:
        args.append(f"--proxy-server={config.proxy}")
    if config.ignore_https_errors:
        args.append("--ignore-certificate-errors")  # also covers service-worker script fetches
    return args


def write_profile(user_data_dir: Path, config: ScanConfig) -> None:
    """Preferences of a default desktop browser: third-party cookies allowed, the configured languages."""
    default = user_data_dir / "Default"
    default.mkdir(parents=True, exist_ok=True)
    prefs = {
        "profile": {"cookie_controls_mode": 0, "default_content_setting_values": {"cookies": 1}},
        "intl": {"accept_languages": config.accept_language.replace(";q=0.9", "").replace(";q=0.8", "")},
        "download": {"prompt_for_download": False, "default_directory": str(user_data_dir / "downloads")},
        "credentials_enable_service": False,
        "signin": {"allowed": False, "allowed_on_next_startup": False},
        "component_updates": {"component_updates_enabled": False},
        "translate": {"enabled": False},
    }
    (default / "Preferences").write_text(json.dumps(prefs))


def _die_with_parent():
    """On Linux, have the kernel kill Chromium if leakmap dies (kill -9 included): its own
    session keeps it out of Ctrl-C's reach, so nothing else would stop it. Called in the main
    thread (the one that lives as long as the process), as the death signal follows the thread."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    pr_set_pdeathsig = 1

    def child() -> None:
        prctl(pr_set_pdeathsig, signal.SIGKILL)

    return child


@dataclass
class BrowserProcess:
    """A running Chromium with its DevTools endpoint and throw-away profile directory."""

    path: Path
    process: subprocess.Popen
    user_data_dir: Path
    ws_url: str

    @classmethod
    async def launch(cls, path: Path, config: ScanConfig, timeout: float = 30) -> BrowserProcess:
        user_data_dir = Path(tempfile.mkdtemp(prefix="leakmap-profile-"))
        write_profile(user_data_dir, config)
        log_file = (user_data_dir / "chromium.log").open("wb")
        process = subprocess.Popen(
            [str(path), *launch_args(config, user_data_dir), "about:blank"],
            stdout=subprocess.DEVNULL, stderr=log_file, start_new_session=True, preexec_fn=_die_with_parent(),
        )
        port_file = user_data_dir / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                tail = (user_data_dir / "chromium.log").read_text(errors="replace")[-800:]
                shutil.rmtree(user_data_dir, ignore_errors=True)
                raise BrowserLaunchError(f"{path} exited with code {process.returncode}: {tail.strip()}")
            lines = port_file.read_text().split() if port_file.exists() else []
            if len(lines) >= 2:
                return cls(path, process, user_data_dir, f"ws://127.0.0.1:{lines[0]}{lines[1]}")
            await asyncio.sleep(0.05)
        process.kill()
        shutil.rmtree(user_data_dir, ignore_errors=True)
        raise BrowserLaunchError(f"{path} did not open its DevTools endpoint within {timeout:.0f} s")

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        if self.alive:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(5)
            except (ProcessLookupError, subprocess.TimeoutExpired, PermissionError):
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        shutil.rmtree(self.user_data_dir, ignore_errors=True)


def ensure_browser() -> int:
    """Make sure a Chromium is available (``make`` calls this): install Debian's as root if needed."""
    try:
        path = find_browser()
        print(f"browser: {path} ({browser_version(path) or 'version unknown'})")
        return 0
    except BrowserNotFound as exc:
        message = str(exc)
    apt = shutil.which("apt-get")
    if apt and hasattr(os, "geteuid") and os.geteuid() == 0 and Path("/etc/debian_version").exists():
        print("no Chromium found: installing Debian's chromium package", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run([apt, "update", "-qq"], check=False, env=env)
        result = subprocess.run([apt, "install", "-y", "-qq", "chromium"], env=env)
        if result.returncode == 0:
            path = find_browser()
            print(f"browser: {path} ({browser_version(path)})")
            return 0
        message = "apt-get install chromium failed; " + message
    elif apt and Path("/etc/debian_version").exists():
        message = ("no Chromium found, and installing Debian's chromium package needs root: run "
                   "`sudo apt-get install chromium`, then `leakmap setup` again (or `playwright install chromium`, "
                   f"or pass --browser PATH / set ${ENV_VAR})")
    print(f"leakmap: {message}", file=sys.stderr)
    return 2

