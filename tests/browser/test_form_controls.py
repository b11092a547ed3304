"""Form controls in a real browser, on the French signup form at 360x740: a drop-down's chosen
option shows whole and clear of the drop-down's arrow (« République démocratique du Congo » was
cut beside it); ticked boxes and radios are in the portal's green, not Bootstrap's blue; a short
page's footer sits at the foot of the screen."""

import pytest

from tests.factories import ForumFactory, UserFactory

from .conftest import DESKTOP, PHONE
from .journeys import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PORTAL_GREEN = "rgb(29, 92, 58)"

# Where, inside the select's padding box (clientWidth wide), its chosen option's text and its
# arrow (the first background layer, placed "calc(100% - Npx)" or "100%" from the left) lie.
SELECT_GEOMETRY = """(select) => {
  const style = getComputedStyle(select);
  const measure = document.createElement('canvas').getContext('2d');
  measure.font = style.font;
  const size = style.backgroundSize.split(',')[0].trim().split(' ');
  const x = style.backgroundPositionX.split(',')[0].trim();
  const fromRight = x === '100%' ? 0 : Number((x.match(/^calc\\(100% - ([\\d.]+)px\\)$/) || [])[1]);
  const arrowWidth = parseFloat(size[0]);
  const textStart = parseFloat(style.paddingLeft);
  return {
    textStart,
    textEnd: textStart + measure.measureText(select.options[select.selectedIndex].text).width,
    contentEnd: select.clientWidth - parseFloat(style.paddingRight),
    arrowStart: select.clientWidth - fromRight - arrowWidth,
    arrowEnd: select.clientWidth - fromRight,
    width: select.clientWidth,
    textOverflow: style.textOverflow,
  };
}"""


def test_the_congos_long_name_shows_whole_and_clear_of_the_arrow(visitor):
    visit = visitor(PHONE, locale="fr-FR")
    visit.goto("/fr/accounts/signup/")
    country = visit.page.locator("select[name=country]")
    country.select_option("CD")
    assert country.evaluate("(select) => select.selectedOptions[0].text") == (
        "République démocratique du Congo"
    )

    where = country.evaluate(SELECT_GEOMETRY)

    assert where["arrowStart"] == where["arrowStart"], f"arrow's place not understood: {where}"
    # The text ends before the content box does (so it is not cut) and the arrow lies wholly in
    # the padding beyond it, inside the box.
    assert where["textEnd"] <= where["contentEnd"], f"the name is cut: {where}"
    assert where["contentEnd"] <= where["arrowStart"] < where["arrowEnd"] <= where["width"], where
    visit.assert_clean()


def test_a_name_longer_than_a_drop_down_ends_in_an_ellipsis_not_a_cut_letter(visitor):
    visit = visitor(PHONE, locale="fr-FR")
    visit.goto("/fr/accounts/signup/")
    for select in visit.page.locator("main select").all():
        assert select.evaluate(SELECT_GEOMETRY)["textOverflow"] == "ellipsis"


def test_ticked_boxes_and_radios_are_the_portals_green(visitor):
    visit = visitor(PHONE, locale="fr-FR")
    visit.goto("/fr/accounts/signup/")
    form = visit.page.locator("main form")
    ticked = [
        form.locator("input[name=accept_code_of_conduct]"),
        form.locator("input[name=stakeholder_group]").first,
    ]
    for control in ticked:
        control.check()
        colour = control.evaluate("(input) => getComputedStyle(input).backgroundColor")
        assert colour == PORTAL_GREEN, control


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_short_pages_footer_sits_at_the_foot_of_the_screen(visitor, viewport):
    visit = visitor(viewport, locale="fr-FR")
    # A page short on a phone too, whatever the footer holds (the sign-in page no longer is).
    visit.goto("/fr/newsletter/subscribe/sent/")
    page = visit.page
    footer = page.locator(".site-footer").bounding_box()
    screen = page.viewport_size["height"]
    assert page.evaluate("document.documentElement.scrollHeight") <= screen, "not a short page"
    assert footer["y"] + footer["height"] == pytest.approx(screen, abs=1)


def middle(locator):
    box = locator.bounding_box()
    return box["y"] + box["height"] / 2


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "stakeholder"])
def test_a_forums_follow_form_is_centred_on_its_first_button(visitor, signed_in):
    forum = ForumFactory()
    visit = visitor(DESKTOP)
    if signed_in:
        sign_in(visit, UserFactory().email)
    visit.goto(forum.get_absolute_url())
    actions = visit.page.locator(".forum-actions")
    button, follow = actions.locator("> .btn"), actions.locator("> .subscribe-form, > p")
    assert middle(follow) == pytest.approx(middle(button), abs=1)
