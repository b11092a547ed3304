"""axe-core in the page: the WCAG 2.1 A and AA rules, run through the DevTools protocol (which
the page's Content-Security-Policy does not govern), so each page is checked as the portal
serves it. Vendored for the tests only (`make vendor`), never served."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE_VERSION = re.search(r"AXE_CORE_VERSION := (\S+)", (ROOT / "Makefile").read_text())[1]
AXE = ROOT / "tests" / "browser" / "vendor" / f"axe-core-{AXE_VERSION}" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING = {"serious", "critical"}

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
    // Preloading re-fetches the stylesheets through inline <style> copies, which the CSP
    // refuses on the admin's pages; the rules used here read the computed styles instead.
    preload: false,
  });
  return results.violations.map((rule) => ({
    id: rule.id,
    impact: rule.impact,
    help: rule.help,
    nodes: rule.nodes.map((node) => ({
      target: node.target.join(' '),
      summary: node.failureSummary,
    })),
  }));
}"""


def axe_violations(page):
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(RUN_AXE, WCAG)


def summary(found):
    lines = []
    for label, path, violations in found:
        lines.append(f"{label} ({path}):")
        for rule in violations:
            lines.append(f"  {rule['impact']}: {rule['id']}: {rule['help']}")
            for node in rule["nodes"][:5]:
                lines.append(f"    {node['target']}")
                detail = " ".join(node["summary"].split())
                lines.append(f"      {detail[:300]}")
            if len(rule["nodes"]) > 5:
                lines.append(f"    ... and {len(rule['nodes']) - 5} more")
    return "\n".join(lines)


def assert_no_serious_violation(page, label):
    """Fail on any serious or critical violation of the page now shown."""
    serious = [v for v in axe_violations(page) if v["impact"] in FAILING]
    assert not serious, "serious or critical axe violations:\n" + summary(
        [(label, page.url, serious)]
    )
