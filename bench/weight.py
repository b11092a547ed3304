"""Bytes on the wire per page in Chromium, and a thread's first post on a slow connection.

The figures come from tests/browser/test_weight.py, which measures them in the system Chromium
against a server with production's static files (hashed, compressed, cached for good) and
compressed pages, and holds them to the budgets. This runs those tests and prints what they wrote
to test-artifacts/weight.json, whether the budgets held or not. Run with `make bench`.
"""

import json
import os

import pytest
from common import ROOT

FIGURES = ROOT / "test-artifacts" / "weight.json"


def kib(count):
    return f"{count / 1024:.1f}"


def main():
    FIGURES.unlink(missing_ok=True)
    os.chdir(ROOT)
    outcome = pytest.main(["tests/browser/test_weight.py", "-q", "-p", "no:xdist"])
    if not FIGURES.exists():
        print("No figures: the browser tests did not run (is Chromium installed?).")
        return
    figures = json.loads(FIGURES.read_text())
    print("Chromium, production static files, pages gzipped; KiB on the wire, headers included")
    header = f"{'page':<34}{'total':>8}{'HTML':>7}{'CSS':>7}{'JS':>7}{'other':>7}{'requests':>9}"
    print(header)
    for section in ("first visit", "next page"):
        for label, page in figures.get(section, {}).items():
            kinds = dict(page["bytes_by_kind"])
            main_kinds = [kinds.pop(kind, 0) for kind in ("html", "css", "js")]
            print(
                f"{section + ': ' + label:<34}{kib(page['total_bytes']):>8}"
                + "".join(f"{kib(count):>7}" for count in main_kinds)
                + f"{kib(sum(kinds.values())):>7}{page['requests']:>9}"
            )
    slow = figures.get("slow connection")
    if slow:
        print(
            f"{slow['page']}, {slow['network']}: first post shown at "
            f"{slow['first_post_shown_ms']} ms, first paint {slow['first_contentful_paint_ms']} ms"
        )
    print("Budgets held." if outcome == pytest.ExitCode.OK else "A budget was missed: see above.")


if __name__ == "__main__":
    main()
