"""Rewrite the golden reports after an intended change, then review ``git diff tests/golden``:

    .venv/bin/python -m tests.golden.update

The test (``tests/test_report_formats.py``) only compares: it can never rewrite what it checks.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from leakmap import workflow
from leakmap.report import render
from tests.report_store import build, knowledge

GOLDEN = Path(__file__).parent
FILES = {"json": "report.json", "md": "report.md", "junit": "report.junit.xml", "sarif": "report.sarif"}


def rendered(root: Path) -> dict[str, str]:
    """Each golden format of the fixed store's report, as the test renders it."""
    path = root / "fixed" / "out" / "leakmap.db"
    build(path).store.close()
    report, _ = workflow.report(path, kb=knowledge(root / "no-lists"))
    return {fmt: render(report, fmt) for fmt in FILES}


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="leakmap-golden-") as tmp:
        for fmt, text in rendered(Path(tmp)).items():
            (GOLDEN / FILES[fmt]).write_text(text, encoding="utf-8")
            print(f"wrote {GOLDEN / FILES[fmt]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
