"""Helpers for the user journeys (test_journeys*.py): signing in, reading the portal's email,
deciding in the admin, and checking that a French page has no English left in its interface."""

import ast
import re
from functools import cache
from io import StringIO
from pathlib import Path

import allauth
import django
import django_countries
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.roles import MODERATORS, grant_role_permissions
from tests.factories import PASSWORD, StaffFactory

from .axe import assert_no_serious_violation

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = [
    ROOT / "locale/fr/LC_MESSAGES/django.po",
    # What the portal shows from its libraries: allauth's pages, Django's form errors, countries.
    Path(allauth.__file__).parent / "locale/fr/LC_MESSAGES/django.po",
    Path(django.__file__).parent / "conf/locale/fr/LC_MESSAGES/django.po",
    Path(django_countries.__file__).parent / "locale/fr/LC_MESSAGES/django.po",
]
MINER_EN = "Artisanal miner or mining community"
MINER_FR = "Mineur artisanal ou communauté minière"
FRENCH_MONTHS = [
    *("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août"),
    *("septembre", "octobre", "novembre", "décembre"),
]


def french_date(moment):
    """'26 novembre 2026', written out here rather than by Django, which is what is tested."""
    return f"{moment.day} {FRENCH_MONTHS[moment.month - 1]} {moment.year}"


def load_programme_content():
    """The programme's pages, library (with demonstration PDFs), sites and forums, as
    `make run` loads them; and the staff groups, which a transactional test's flush empties."""
    grant_role_permissions()
    call_command("load_content", stdout=StringIO())


def shot(visit, journey, step, viewport):
    """A key page of a journey: kept as a picture, and checked by axe (admin pages included;
    not in a page without JavaScript, where axe cannot run and the journeys with it check the
    same pages)."""
    name = f"journey-{journey}-{step}-{viewport['width']}"
    visit.screenshot(name)
    if visit.javascript:
        assert_no_serious_violation(visit.page, name)


# Signing in and the portal's email ------------------------------------------------------------


def sign_in(visit, email, password=PASSWORD, *, start="/accounts/login/"):
    """The real allauth sign-in form (also where /admin/ sends staff)."""
    visit.goto(start)
    form = visit.page.locator("main form").filter(has=visit.page.locator("input[name=password]"))
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("[type=submit]").click()
    expect(visit.page.locator("input[name=password]")).to_have_count(0)


def mail_to(address, *, subject=None):
    """The messages the portal sent to this address (locmem backend: tests/conftest.py)."""
    found = [
        message
        for message in mail.outbox
        if address in message.to and (subject is None or subject in message.subject)
    ]
    assert found, f"no email to {address}: {[(m.to, m.subject) for m in mail.outbox]}"
    return found


def link_path(text, path_start):
    """The path of the first link in `text` whose path starts with `path_start`: links in email
    name the configured host and scheme, the test server is elsewhere."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_start) + r"[^\s>\"]*)", text)
    assert match, f"no link to {path_start} in:\n{text}"
    return match.group(1)


def moderator_signs_in(visitor, viewport):
    """A member of the Moderators group, through the admin's (allauth's) sign-in page."""
    moderator = StaffFactory(name="Grace Moderator", groups=[MODERATORS])
    visit = visitor(viewport)
    sign_in(visit, moderator.email, start="/admin/")
    expect(visit.page).to_have_url(re.compile(r"/admin/$"))
    return visit


# Registering -----------------------------------------------------------------------------------


def _fill_signup(page, *, name, email, organisation):
    form = page.locator("main form").filter(has=page.locator("input[name=password1]"))
    form.locator("input[name=name]").fill(name)
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password1]").fill("Une longue phrase de passe à Mwenga")
    form.locator("input[name=password2]").fill("Une longue phrase de passe à Mwenga")
    form.get_by_label(MINER_FR, exact=True).check()
    form.locator("input[name=organisation]").fill(organisation)
    form.locator("select[name=country]").select_option("CD")
    expect(form.locator("select[name=preferred_language]")).to_have_value("fr")
    form.locator("input[name=accept_code_of_conduct]").check()
    return form


def site_header(page):
    """The page's header, its navigation unfolded first where it is folded behind the menu
    button (on phones)."""
    # Until the stylesheet has loaded, the button shows at every width: wait for it.
    page.wait_for_load_state("load")
    button = page.locator(".site-header .site-menu__button")
    if button.is_visible() and not page.locator(".site-menu[open]").count():
        button.click()
    return page.locator("header")


def register_and_confirm(visit, journey, viewport, *, email):
    """Sign up in French as an artisanal miner from the DR Congo and confirm the address from
    the email; ends on the page allauth sends a newly confirmed person to."""
    page = visit.page
    visit.goto("/")
    assert_french(visit)
    shot(visit, journey, "home", viewport)
    site_header(page).get_by_role("link", name="Rejoindre le dialogue").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    form = _fill_signup(
        page, name="Espérance Mwamini", email=email, organisation="Coopérative minière de Mwenga"
    )
    assert_french(visit)
    shot(visit, journey, "signup", viewport)
    form.get_by_role("button", name="S'inscrire").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmez votre adresse e-mail")
    assert_french(visit)
    shot(visit, journey, "confirmation-sent", viewport)

    (message,) = mail_to(email)
    assert message.subject == "[ASM-PACE] Confirmez votre adresse e-mail"
    # The link leads to the French pages: the email is in its reader's language.
    visit.goto(link_path(message.body, "/fr/accounts/confirm-email/"))
    assert_french(visit)
    shot(visit, journey, "confirm", viewport)
    page.locator("main form").get_by_role("button", name="Confirmer").click()
    expect(page).to_have_url(re.compile(r"/accounts/profile/$"))


# The admin ------------------------------------------------------------------------------------


def admin_action(visit, *, rows, action, reason=None):
    """On an admin change list: tick `rows` (locators of <tr>), run `action` (its label), and on
    the confirmation page give the reason and confirm."""
    page = visit.page
    for row in rows:
        row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label=action)
    page.locator("button[name=index], input[name=index]").first.click()
    reason_field = page.locator("textarea[name=reason]")
    expect(reason_field).to_be_visible()
    if reason is not None:
        reason_field.fill(reason)
    return reason_field


# French without English ------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\{?\s*\w+\s*\}?\}")


def read_po(path):
    """[(msgid or msgid_plural, [msgstr...])] of a .po file's entries; the msgstrs of fuzzy
    entries are left out, as compilemessages leaves them out."""
    entries, entry, field, fuzzy = [], {}, None, False

    def close():
        strings = [value for key, value in entry.items() if key.startswith("msgstr")]
        strings = [] if fuzzy or not all(strings) else strings
        if entry.get("msgid"):
            entries.append((entry["msgid"], strings))
            if entry.get("msgid_plural"):
                entries.append((entry["msgid_plural"], strings))

    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if not line:
            if entry:
                close()
            entry, field, fuzzy = {}, None, False
        elif line.startswith("#,"):
            fuzzy = "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += ast.literal_eval(line)
        else:
            field, _, value = line.partition(" ")
            entry[field] = ast.literal_eval(value)
    return entries


def english_pattern(msgid):
    """A regex for the English text as a page shows it (tags gone, placeholders anything), or
    None for strings too short to tell English from French (one word)."""
    text = re.sub(r"<[^>]+>", "", msgid).replace("%%", "%")
    pieces = PLACEHOLDER.split(text)
    if len(re.findall(r"[^\W\d_]+", " ".join(pieces))) < 2:
        return None
    pattern = r"[^\n]{1,200}?".join(
        r"\s*"
        if not piece.strip()
        else r"\s+".join(map(re.escape, piece.split())).join(
            [r"\s" if piece[:1].isspace() else "", r"\s" if piece[-1:].isspace() else ""]
        )
        for piece in pieces
    )
    return re.compile(r"(?<![\w'\u2019])" + pattern + r"(?![\w'\u2019])")


@cache
def english_strings():
    """{English msgid: pattern} of the strings whose French differs, and of the portal's own
    strings that have no French yet (empty or fuzzy: the page shows them in English)."""
    patterns = {}
    for path in CATALOGUES:
        for msgid, translations in read_po(path):
            untranslated = not translations and path == CATALOGUES[0]
            same = all(text == msgid for text in translations)
            if msgid in patterns or (same and not untranslated):
                continue
            pattern = english_pattern(msgid)
            if pattern:
                patterns[msgid] = pattern
    return patterns


COLLECT_TEXT = """([excluded, language]) => {
  const skipped = 'script, style, template, [aria-hidden=true]' + (excluded ? ', ' + excluded : '');
  const foreign = (element) => {
    const marked = element.closest('[lang]');
    return marked && !marked.lang.toLowerCase().startsWith(language);
  };
  // Text runs as a reader sees them: a new run starts at every block or inline-block.
  const blockOf = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const display = getComputedStyle(node).display;
      if (display !== 'inline' && display !== 'contents') return node;
    }
    return document.body;
  };
  const texts = [];
  let current = null;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skipped) || foreign(parent)) continue;
    const block = blockOf(parent);
    if (block !== current) texts.push('');
    current = block;
    texts[texts.length - 1] += node.data;
  }
  for (const element of document.body.querySelectorAll(
      '[aria-label], [title], [placeholder], [alt], input[type=submit], input[type=button]')) {
    if (element.closest(skipped) || foreign(element)) continue;
    for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
      if (element.getAttribute(name)) texts.push(element.getAttribute(name));
    }
    if (element.matches('input[type=submit], input[type=button]')) texts.push(element.value);
  }
  if (!foreign(document.documentElement)) texts.push(document.title);
  return texts.map((text) => text.replace(/\\s+/g, ' ').trim()).filter(Boolean);
}"""

# People's words, not the interface's: post bodies, and what a page marks as another language.
USER_CONTENT = ".post-body"


def english_left(visit, *, exclude="", language="fr"):
    """The English interface strings on the page: msgids of the French catalogues found in its
    text (not in user content, nor in elements marked as in another language than the page's,
    `language`)."""
    excluded = ", ".join(filter(None, [USER_CONTENT, exclude]))
    text = "\n".join(visit.page.evaluate(COLLECT_TEXT, [excluded, language]))
    assert len(text) > 200, f"too little text collected to judge: {text!r}"
    return sorted(msgid for msgid, pattern in english_strings().items() if pattern.search(text))


def assert_french(visit, *, exclude=""):
    expect(visit.page.locator("html")).to_have_attribute("lang", "fr")
    left = english_left(visit, exclude=exclude)
    assert left == [], f"English left on {visit.page.url}: {left}"
