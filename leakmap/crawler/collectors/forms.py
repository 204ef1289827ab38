"""Canary values typed into the form fields a page shows, never submitted.

After each load has settled (the post-consent reload included), visible e-mail, phone and name
inputs of every frame get the scan's canary values (``ScanConfig.email/phone/name``), typed key
by key like a visitor, then blurred: scripts that read fields on input, change or blur send what
they read before any submission, which is what ``pii-leak`` looks for. Nothing is ever submitted
(no Enter key, no click on a button). What went into which field is recorded as ``FormFill``:
the keys typed and what the field holds afterwards, read back, whatever happened. On a busy
machine or a page with slow key handlers typing takes longer: the time a field gets grows with
the value's length and the machine's load (within the visit's budget), and typing cut short
still records what was typed and held, with an error on the visit; a field that could not be
typed into at all is an error too, never silence.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame, Page

from leakmap.crawler import pace
from leakmap.crawler.collectors.base import Collector
from leakmap.records import ErrorRecord, FormFill

MAX_FIELDS = 12  # per page load
# seconds on an idle machine, stretched by the machine's slowness: to focus and clear a field (and
# to blur and read it back), and at most for one key (a keystroke takes milliseconds; handlers on
# every key take more; one that takes longer than this means the page is stuck). A field gets the
# first plus the second per character of its value, within the visit's budget.
FIELD_TIME = 2.0
KEY_TIME = 1.0
_BLUR_AND_READ = "e => { e.blur(); return e.value; }"

# Visible, editable text-like inputs with what a person (or autofill) reads to know the field.
_FIELDS_JS = """() => {
  const path = (el) => {
    if (el.id && /^[A-Za-z][\\w-]*$/.test(el.id) && document.querySelectorAll('#' + el.id).length === 1) return '#' + el.id;
    const parts = [];
    for (let n = el; n && n.nodeType === 1 && n !== document.documentElement; n = n.parentElement) {
      let i = 1;
      for (let s = n.previousElementSibling; s; s = s.previousElementSibling) if (s.tagName === n.tagName) i++;
      parts.unshift(n.tagName.toLowerCase() + ':nth-of-type(' + i + ')');
    }
    return 'html > ' + parts.join(' > ');
  };
  const out = [];
  for (const el of document.querySelectorAll('input')) {
    const r = el.getBoundingClientRect(), st = getComputedStyle(el);
    if (el.disabled || el.readOnly || r.width < 2 || r.height < 2 || st.visibility === 'hidden' || st.display === 'none') continue;
    const label = el.labels && el.labels.length ? el.labels[0].innerText : '';
    out.push({ selector: path(el), type: (el.getAttribute('type') || 'text').toLowerCase(), name: el.name || '',
               id: el.id || '', placeholder: el.getAttribute('placeholder') || '', aria: el.getAttribute('aria-label') || '',
               label: (label || '').slice(0, 200), autocomplete: (el.getAttribute('autocomplete') || '').toLowerCase() });
    if (out.length >= 200) break;
  }
  return out;
}"""

_TEXT_TYPES = {"text", "email", "tel", ""}
_EMAIL = re.compile(r"e-?mail|courriel|correo")
_PHONE = re.compile(r"phone|t[ée]l[ée]phone|(^|[^a-z])tel([^a-z]|$)|mobile|handy|telefon|portable|cell")
_GIVEN = re.compile(r"first.?name|given|pr[ée]nom|vorname|nombre")
_FAMILY = re.compile(r"last.?name|surname|family|nom de famille|nachname|apellido")
_NAME = re.compile(r"(^|[^a-z])(full.?)?name([^a-z]|$)|(^|[^a-z])nom([^a-z]|$)")
_NOT_NAME = re.compile(r"user|login|company|firma|soci[ée]t[ée]|organi|card|holder")


def field_kind(f: dict[str, Any]) -> str | None:
    """email, phone, name, given-name, family-name, or None for fields left alone."""
    kind = (f.get("type") or "text").lower()
    if kind not in _TEXT_TYPES:
        return None
    auto = f.get("autocomplete") or ""
    hint = " ".join(str(f.get(k) or "") for k in ("name", "id", "placeholder", "aria", "label", "autocomplete")).lower()
    if kind == "email" or "email" in auto or _EMAIL.search(hint):
        return "email"
    if kind == "tel" or auto.startswith("tel") or _PHONE.search(hint):
        return "phone"
    if "given-name" in auto or _GIVEN.search(hint):
        return "given-name"
    if "family-name" in auto or _FAMILY.search(hint):
        return "family-name"
    if (auto == "name" or _NAME.search(hint)) and not _NOT_NAME.search(hint):
        return "name"
    return None


class FormsCollector(Collector):
    name = "forms"
    target_types = frozenset()

    def __init__(self, visit):
        super().__init__(visit)
        self._fills: list[FormFill] = []
        self._errors: list[ErrorRecord] = []

    def value(self, kind: str) -> str:
        config = self.visit.config
        first, _, rest = config.name.partition(" ")
        return {"email": config.email, "phone": config.phone, "name": config.name, "given-name": first,
                "family-name": rest or first}[kind]

    async def on_loaded(self, page: Page) -> None:
        if not self.visit.config.fill_forms:
            return
        budget = MAX_FIELDS
        frames = page.frames
        found = await asyncio.gather(*(self._fields(frame) for frame in frames))  # all frames at once
        for frame, fields in zip(frames, found, strict=True):
            if budget <= 0:
                break
            if fields:
                budget -= await self._fill_frame(page, frame, fields, budget)

    def _time(self, seconds: float) -> float:
        """``seconds`` on an idle machine, stretched for this one, within the visit's budget."""
        budget = self.visit.budget
        wanted = pace.stretch(seconds)
        return budget.share(wanted) if budget is not None else wanted

    async def _fields(self, frame: Frame) -> list[dict[str, Any]]:
        try:
            return await asyncio.wait_for(frame.evaluate(_FIELDS_JS), self._time(FIELD_TIME))
        except (PlaywrightError, TimeoutError):
            return []

    async def _fill_frame(self, page: Page, frame: Frame, fields: list[dict[str, Any]], budget: int) -> int:
        typed = 0
        for f in fields:
            kind = field_kind(f)
            if kind is None or typed >= budget:
                continue
            typed += 1
            await self._fill(page, frame, f, kind, self.value(kind))
        return typed

    async def _fill(self, page: Page, frame: Frame, f: dict[str, Any], kind: str, value: str) -> None:
        """Type ``value`` key by key; store what was typed and what the field then holds."""
        allowed = self._time(FIELD_TIME + KEY_TIME * len(value))
        deadline = time.monotonic() + allowed
        left = lambda: max(0.001, deadline - time.monotonic())  # noqa: E731
        per_key = pace.stretch(KEY_TIME)
        field = frame.locator(f["selector"]).first
        where = f"the {kind} field {f['selector'][:200]}"
        started = time.time()
        try:
            await field.fill("", timeout=left() * 1000)  # focuses it, as a click would
        except PlaywrightError as exc:
            self._error(f"could not type into {where}: {_reason(exc)}", frame.url)
            return
        sent, problem = 0, None
        try:
            for key in value:
                if time.monotonic() >= deadline:
                    problem = f"the typing took longer than the {allowed:.1f} s the field had"
                    break
                bound = min(per_key, left())
                await asyncio.wait_for(page.keyboard.type(key), bound)
                sent += 1
        except TimeoutError:
            problem = (f"a key took longer than {per_key:.1f} s (the page is stuck)" if bound == per_key else
                       f"the typing took longer than the {allowed:.1f} s the field had")
        except PlaywrightError as exc:
            problem = _reason(exc)
        held = None
        try:
            held = await field.evaluate(_BLUR_AND_READ, timeout=max(left(), self._time(FIELD_TIME)) * 1000)
        except PlaywrightError as exc:
            problem = problem or f"what it holds could not be read back: {_reason(exc)}"
        if problem:
            self._error(f"typing into {where} stopped after {sent} of {len(value)} characters: {problem}"
                        if sent < len(value) else f"{where}: {problem}", frame.url)
        self._fills.append(FormFill(
            time=started, page_url=page.url, frame_url=frame.url, field=kind,
            value=held if isinstance(held, str) else value[:sent], typed=value[:sent], selector=f["selector"],
            input_type=f.get("type") or None, input_name=f.get("name") or f.get("id") or None,
            autocomplete=f.get("autocomplete") or None,
        ))

    def _error(self, message: str, url: str) -> None:
        self._errors.append(ErrorRecord(time=time.time(), kind="form-fill", message=message[:2000], url=url))

    def records(self) -> list[Any]:
        return [*self._fills, *self._errors]


def _reason(exc: PlaywrightError) -> str:
    return (exc.message or type(exc).__name__).splitlines()[0][:300]
