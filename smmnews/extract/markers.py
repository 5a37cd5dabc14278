"""Every selector and text marker of news.metal.com, in one place.

A site redesign should be a diff of this module. Strings quoted from real pages keep their exact
characters (the curly ‘ in the v1 Data Source Statement, NBSP, 【】): docs/site.md.
"""

from __future__ import annotations

import re

# --- URLs (docs/site.md, "URL forms") ------------------------------------------------------------

# The SMM family of hosts an article link may point to (docs/site.md, "Hosts").
SITE_DOMAINS = ("metal.com",)
# The path segment of every article URL form; a cheap test before the full pattern.
ARTICLE_PATH_SEGMENT = "newscontent"
# Forms A-H by path (any host, so mirrors and relative links work): optional /en/, an id of 5+
# digits, then any slug joined by - / _.
ARTICLE_PATH_RE = re.compile(r"^/(?:en/)?newscontent/(?P<id>\d{5,})(?=$|[-/_?#]|%)")
CANONICAL_URL_TEMPLATE = "https://news.metal.com/newscontent/{id}"

# --- Markup (structure signals; never hashed class names) ----------------------------------------

# Dropped before the walk: never visible article text.
DROP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "iframe", "head", "select", "button",
     "input", "textarea", "option", "canvas", "video", "audio", "object", "embed", "map"}
)
# Semantic chrome containers (html5 family); related news found in them is parsed first. A
# figure's caption is no line of the article text either (the body is paragraphs, headings,
# list items and table rows).
CHROME_TAGS = frozenset({"nav", "footer", "aside", "form", "dialog", "figcaption"})
# Lazy-loaded pictures keep their URL here while `src` holds a placeholder (a data: URI).
LAZY_SRC_ATTRS = ("data-src", "data-original", "data-lazy-src")
BLOCK_TAGS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
     "blockquote", "pre", "section", "article", "header", "footer", "main", "figure",
     "figcaption", "caption", "table", "tbody", "thead", "tfoot", "tr", "td", "th", "center",
     "address", "hr", "nav", "aside", "body", "html", "form", "fieldset", "legend", "details",
     "summary", "picture"}
)
# Characters that render as nothing inside words: soft hyphen, zero-width space, non-joiner,
# joiner, word joiner, and U+FEFF (a BOM pasted into the text by editors).
INVISIBLE_CHARS = ("\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")
# The first crumb of a trail shown as one text line ("Home / Metal News / …").
HOME_CRUMB = "Home"
# Site icons inside the text (the date line's clock picture) are not article images.
ICON_ALT = "icon"
# class/id words of a lead shown above the text ("summary___3xYz", "article__summary--v2");
# whole words only ("lead" is also a metal, so it is not one).
SUMMARY_HINT_RE = re.compile(r"(?:^|[\s_-])(?:summary|abstract|excerpt|standfirst|intro)"
                             r"(?:$|[\s_-])", re.IGNORECASE)
# Inline styles that hide an element (desktop/mobile variants of one header ship together).
HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# class/id/aria-label fragment of breadcrumb trails ("breadcrumb___3xK", "crumbs").
BREADCRUMB_HINT = "crumb"

# <meta> keys (property, name or itemprop, lowercased) per field, in fallback order.
TITLE_META = (("og", "og:title"), ("twitter", "twitter:title"))
DESCRIPTION_META = (("og", "og:description"), ("meta", "description"))
PUBLISHED_META = (("article_meta", "article:published_time"), ("itemprop", "datepublished"),
                  ("pubdate_meta", "pubdate"), ("pubdate_meta", "publishdate"),
                  ("pubdate_meta", "publish_date"), ("pubdate_meta", "publish-date"),
                  ("pubdate_meta", "og:published_time"), ("pubdate_meta", "dc.date.issued"),
                  ("pubdate_meta", "dcterms.created"), ("pubdate_meta", "parsely-pub-date"),
                  ("pubdate_meta", "sailthru.date"))
JSONLD_CSS = "script[type='application/ld+json']::text"
# The per-page path finds its scripts by a tree walk (a parsel query costs a CSS-to-XPath
# translation lookup and a Selector per node; lxml's iter() costs neither):
# <script id="__NEXT_DATA__">, <script type="application/ld+json">.
NEXT_DATA_ID = "__NEXT_DATA__"
JSONLD_TYPE = "application/ld+json"
# A <time datetime> that shows nothing is page metadata, not a line of the page; "nothing" as
# XPath's normalize-space() has it (these four characters, not NBSP).
XPATH_SPACE = " \t\r\n"
# Keys an SSR data blob may use for the article (Next.js on news.smm.cn uses "date"/"author").
NEXT_TITLE_KEYS = ("title", "headline", "newsTitle")
NEXT_DATE_KEYS = ("publishTime", "publish_time", "publishedAt", "datePublished", "pubTime",
                  "date", "createTime")
NEXT_SUMMARY_KEYS = ("summary", "description", "abstract", "brief")
# The article text in a state blob (HTML from the content API, or JSON-LD's plain articleBody).
BLOB_BODY_KEYS = ("content", "contentHtml", "newsContent", "body", "html", "articleBody")
BLOB_SOURCE_KEYS = ("source", "sourceOrganization", "sourceName")
# XHTML templates guard script text as `//<![CDATA[ ... //]]>`.
CDATA_OPEN = "<![CDATA["
CDATA_CLOSE = "]]>"
# Inline scripts that assign a client-side state: `window.__NUXT__=…;`,
# `window.__INITIAL_STATE__ = …;` (JSON literals; function-wrapped states are not read).
STATE_ASSIGNMENT_RE = re.compile(
    r"^\s*(?:window\.|var\s+|self\.)?(?P<name>__[A-Z][A-Z0-9_]*__)\s*=\s*(?P<json>[\[{].*?)\s*;?\s*$",
    re.S,
)


# --- Title ---------------------------------------------------------------------------------------

# Longest first: " - SMM - Shanghai Metals Market" must win over " - Shanghai Metals Market".
TITLE_SUFFIXES = (
    " - SMM - Shanghai Metals Market",
    " - Shanghai Metals Market (SMM)",
    " | Shanghai Metals Market (SMM)",
    " - Shanghai Metals Market",
    " | SMM",
    " - SMM",
)
# Separators before a site name in a title ("<headline> | SMM News").
TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ")
TITLE_TAG_RE = re.compile(r"[\[【]([^\]】\[【]{2,120})[\]】]")
# A title "as displayed" never looks like these (site names, section names).
NON_TITLES = frozenset({"shanghai metals market", "smm", "metals news", "news", "metal news"})

# --- Header lines (docs/site.md, "Layouts", "Dates") ---------------------------------------------

MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
# "Published: Feb 5, 2026 19:36", "iconNov 17, 2025 13:09", "Jul 31,2017", "Aug 02, 2024 17:11",
# "• Jan 19, 2026, at 11:55 am", "- Sep 11, 2024, at 9:44 am", "Nov 19, 2015 09:23 GMT".
# Words a page may put before its date: "Published:", "Posted on", "Release time:".
DATE_PREFIX = (r"(?:(?:Published|Posted|Released|Release time|Publish time|Date|Time)"
               r"(?:\s+(?:on|at))?\s*[:：]?\s*|icon\s*|[•·\-–]\s*)?")
# Separators between the parts of a header line ("By SMM News | Aug 28, 2025 14:10").
DATE_LINE_SEPARATOR_RE = re.compile(r"\s+[|·•]\s+")
HEADER_DATE_RE = re.compile(
    r"^" + DATE_PREFIX
    + r"(?P<raw>(?:(?P<mon>" + MONTHS + r")\s*(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,\s*|\s+)"
    r"|(?P<day2>\d{1,2})\s+(?P<mon2>" + MONTHS + r"),?\s+)(?P<year>\d{4})"
    r"(?:,?\s*(?:at\s+)?(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"\s*(?P<ampm>[ap]\.?m\.?)?)?(?:\s*(?P<tz>GMT|UTC))?)"
    # Some renderings glue the source onto the date line: "Mar 20, 2026 08:36Source:SMM".
    r"(?:\s*[|·]?\s*Source\s*[:：]\s*(?P<source>[\w .&-]{2,40}))?$",
    re.IGNORECASE,
)
ISO_DATE_TEXT_RE = re.compile(
    r"^" + DATE_PREFIX
    + r"(?P<raw>(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})"
    r"(?:[ T](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?(?:\.\d+)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?)?)$"
)
# "28/08/2025 14:10", "28.08.2025": day first, as Chinese and European sites write it (a
# first number that cannot be a day's month, "08/28/2025", is read month first).
DMY_DATE_TEXT_RE = re.compile(
    r"^" + DATE_PREFIX
    + r"(?P<raw>(?P<day>\d{1,2})(?P<sep>[/.])(?P<month>\d{1,2})(?P=sep)(?P<year>\d{4})"
    r"(?:\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?)$"
)
TIME_UNITS = r"sec|second|min|minute|hour|hr|day|week|month|year"
RELATIVE_TIME_RE = re.compile(
    r"^(?P<n>\d+|an?|one)\s*(?P<unit>" + TIME_UNITS + r")s?\s+ago$", re.IGNORECASE)
# "Headline 2 hours ago": list items glue a title and its time into one line.
TRAILING_TIME_RE = re.compile(
    r"^(?P<text>.+?)(?:\s+[·|•–—-])?\s+(?P<time>(?:\d+|an?)\s*(?:" + TIME_UNITS + r")s?\s+ago|"
    + MONTHS
    + r"\s*\d{1,2},\s*\d{4}(?:,?\s*(?:at\s+)?\d{1,2}:\d{2}(?:\s*[ap]m)?)?)$",
    re.IGNORECASE,
)
JUST_NOW_RE = re.compile(r"^(?:just now|moments? ago)$", re.IGNORECASE)
SOURCE_LINE_RE = re.compile(r"^(?:[•·\-–]\s*)?\(?Source\s*[:：]\s*(?P<source>[\w .&-]{2,40}?)\)?$")
# An author line under the header ("By Lemon Zhao", "Author: Lemon Zhao"): not article text.
BYLINE_RE = re.compile(r"^(?:By|Author|Editor|Reporter|Written by)\s*[:：]?\s+"
                       r"[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3}$")
HEADER_SOURCE_BULLET_RE = re.compile(r"^[•·\-–]\s*(?P<source>SMM)$")
# SMM states no zone: its times are Shanghai time (UTC+8, no DST since 1991).
SITE_TIMEZONE = "Asia/Shanghai"
UTC_OFFSET_HOURS = 8

# Body datelines (docs/site.md, "Dates"), tried in order against the first body blocks.
_MD = r"(?P<md>" + MONTHS + r"\s*\d{1,2})"
DATELINE_RES = (
    re.compile(r"^(?P<line>SHANGHAI,\s*" + _MD + r"\s*\((?P<src>SMM)\)\s*[–—-]+)"),
    re.compile(r"^(?P<line>SHANGHAI,\s*" + _MD + r"\s*[–—-]{1,2})"),
    re.compile(r"^(?P<line>SMM\s+News\s+on\s+" + _MD + r"\s*[:：,])", re.I),
    re.compile(r"^(?P<line>SMM\s+reported\s+on\s+" + _MD + r"\s*[:：,])", re.I),
    re.compile(r"^(?P<line>SMM,?\s+" + _MD + r"(?:\s+news)?\s*[:：,–—-])", re.I),
    re.compile(r"^(?P<line>" + _MD + r"\s+News\s*:)"),
    re.compile(r"^(?P<line>" + _MD + r"\s*\((?P<src>SMM)\)\s*[–—-]+)"),
)

# --- Boilerplate (docs/site.md, "Boilerplate") ---------------------------------------------------

DISCLAIMER_PREFIX = "Data Source Statement:"
# Headings of related-news blocks (wording of the site and of common CMS templates).
RELATED_HEADINGS = (
    "Related News", "More popular news", "Related Price", "Related Articles?", "Recommended News",
    "Related Reading", "Related Stories", "Related Posts", "Related Content", "More Related News",
    "You May Also Like", "You Might Also Like", "Recommended for You", "Recommended Reading",
    "Further Reading", "Read Also", "See Also", "Related",
)
_RELATED_HEADING = r"(?:" + "|".join(RELATED_HEADINGS) + r")\s*[:：]?$"
# Headings of lists of other articles that are not related to this one (sidebars and blocks
# under the text of common news templates): they end the text, their items are no related news.
OTHER_LIST_HEADINGS = (
    "Most Read", "Most Popular", "Most Viewed", "Popular News", "Popular Articles", "Hot News",
    "Hot Topics", "Trending", "Trending Now", "Trending News", "Top Stories", "Top News",
    "Latest News", "Latest Articles", "Latest", "Popular", "Editor[’']?s Picks", "Must Read",
)
OTHER_LIST_HEADING_RE = re.compile(r"^(?:" + "|".join(OTHER_LIST_HEADINGS) + r")\s*[:：]?$",
                                   re.IGNORECASE)
# A readers' comments section under the text ("Comments (2)", "Leave a comment").
COMMENT_HEADINGS = (r"Comments?(?:\s*\(\d+\))?", r"Leave a (?:comment|reply)",
                    r"Post a comment", r"Add a comment", r"Join the discussion")
# Lines that end the article text: everything after them is disclaimer, contacts, related news,
# other lists or comments. (Each marker starts with a literal letter: CUT_INITIALS.)
CUT_MARKERS = (
    r"Data Source Statement\s*:", r"For queries,? please contact", r"For any inquiries",
    r"For news cooperation", r"For more information on how to access our research reports",
    *(heading + r"\s*[:：]?$" for heading in RELATED_HEADINGS + OTHER_LIST_HEADINGS
      + COMMENT_HEADINGS),
)
# "Also read: <headline link>" inside the text: the lead-in is no part of the headline.
RELATED_LEAD_IN_RE = re.compile(r"^(?:Also read|Read also|See also|Read more|Related|"
                                r"Recommended|Further reading|Don[’']t miss)\s*[:：»›>|]\s*",
                                re.IGNORECASE)
CUT_MARKER_RE = re.compile("^(?:" + "|".join(CUT_MARKERS) + ")", re.IGNORECASE)
# Every cut marker starts with one of these letters: a cheap test most blocks fail.
CUT_INITIALS = frozenset(c for m in CUT_MARKERS for c in (m[0].lower(), m[0].upper()))
RELATED_HEADING_RE = re.compile(r"^" + _RELATED_HEADING, re.IGNORECASE)
# A block whose text is at least this share link text is a headline link, not a paragraph.
LINK_LINE_RATIO = 0.8
# A related item's summary has at least this many words: shorter texts are labels (category
# chips, "SMM", "Copper").
RELATED_SUMMARY_MIN_WORDS = 4
READ_MORE_RE = re.compile(r"^(?:Read More|More|View More|Load More|More News)\s*[>›»]*$", re.I)
# Contact lines; each yields (name, e-mails).
CONTACT_RES = (
    re.compile(r"^For queries,? please contact\s+(?P<name>.+?)\s+at\b\s*(?P<emails>.*)$", re.I),
    re.compile(r"^For any inquiries.*?contact\s*[:：]?\s*(?P<emails>.*)$", re.I),
    re.compile(r"^For more information on how to access our research reports.*?"
               r"(?:email|contact)\s*[:：]?\s*(?P<emails>.*)$", re.I),
    re.compile(r"^For news cooperation.*?email\s*[:：]?\s*(?P<emails>.*)$", re.I),
    re.compile(r"^(?P<name>[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3})\s+Contact\s*[:：]\s*"
               r"(?P<emails>\S+@\S+.*)$"),
)
# "Feedback E-mail: Cong Wang - wangcong@smm.cn; Lemon Zhao - lemonzhao@smm.cn"
FEEDBACK_EMAIL_RE = re.compile(r"^Feedback E-?mail\s*[:：]\s*(?P<pairs>.+)$", re.I)
FEEDBACK_PAIR_RE = re.compile(r"(?P<name>[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3})\s*[-–:]\s*"
                              r"(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)")
FEEDBACK_PHONE_RE = re.compile(r"^Feedback (?:Telephone|Phone|Tel)\s*[:：]", re.I)
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")

# Promo and paywall lines, never body (docs/site.md, "Boilerplate").
PROMO_RES = (
    re.compile(r"^》"),
    re.compile(r"^\[?For more content,? (?:please )?subscribe", re.I),
    re.compile(r"^\(?(?:historical data (?:available in|can be queried)[^)]*)\)?\.?$", re.I),
    re.compile(r"^Data Source\s*[:：]\s*SMM\.?$", re.I),
    re.compile(r"^Click (?:here )?(?:for details|to view)", re.I),
)
PROMO_RE = re.compile("|".join(f"(?:{p.pattern})" for p in PROMO_RES), re.IGNORECASE)
# A promo link glued to the end of a body paragraph ("... next week.》Click to view prices").
INLINE_PROMO_RE = re.compile(r"\s*》[^》]{1,160}$")
# The Data Source Statement ends with this; a statement split over several lines continues
# until it does.
DISCLAIMER_END_RE = re.compile(r"recommendations?\.\s*$", re.IGNORECASE)
DISCLAIMER_MAX_LINES = 6
# Site chrome and share widgets (docs/site.md, "Boilerplate", and common footers).
CHROME_LINES = frozenset(
    s.casefold()
    for s in (
        "The local prices are expected to be released soon, stay tuned!", "Got it",
        "+86 021 5155-0306", "Language:", "Sign In", "Sign Up", "Log In", "Login", "Register",
        "Live chat via WhatsApp", "Help us know your opinions in 1minutes.", "Selected News",
        "Share", "Share to", "Share:", "Facebook", "Twitter", "LinkedIn", "WhatsApp", "WeChat",
        "Email", "Print", "Copy link", "Back to top", "SMM Events & Webinars", "All", "No Data",
        "Read More", "Metals News", "smm insight", "Home", "Metal News", "News", "Subscribe",
        "Contact Us", "About Us", "Privacy Policy", "Terms of Service", "English", "中文",
        "Related Price", "Advertisement", "Download the SMM App", "Open in App",
        "Download App", "Get the App", "Accept", "Accept All", "Reject", "Share this article",
        "Newsletter", "Subscribe to our newsletter", "Sign up for our newsletter",
    )
)
# Anchored at the line's start: tried once, with match(), at position 0.
CHROME_LINE_RES = (
    re.compile(r"^(?:Copyright|©)", re.I),
    re.compile(r"^\+?\d[\d\s()-]{7,}$"),
    re.compile(r"^\[email(?:\s|\u00a0)protected\]$"),
    # "Share: Facebook Twitter", "Share this article: f t" (icon letters)
    re.compile(r"^Share(?: this(?: article| story| post| page)?| to| on)?\s*[:：]?"
               r"(?:\s*(?:Facebook|Twitter|X|LinkedIn|WhatsApp|WeChat|Email|Weibo|[A-Za-z]{1,2})"
               r"\b)+$", re.I),
    # An article's pager: "1 2 3 Next ›", "Page 1 2 3 of 3", "« Prev 1 2 3".
    re.compile(r"^(?:Pages?\s*[:：]?\s*)?(?:(?:[‹«<]|Prev(?:ious)?)\s*)?\d{1,3}(?:\s+\d{1,3})+"
               r"(?:\s*(?:of\s+\d{1,3}|Next\s*[›»>]?|[›»>]))?$", re.I),
    # "Previous: <headline>", "Next article »": links along the site's sequence, not related.
    re.compile(r"^(?:Previous|Prev|Next)(?:\s+(?:article|post|story|news))?\s*[:：»›<>|]", re.I),
    # View and read counters: "1,234 views", "Views: 2.3k", "Read 2,301".
    re.compile(r"^(?:\d[\d,.]*\s*[kKmM]?\+?\s*(?:views?|reads?|readers)"
               r"|(?:views?|reads?|page views)\s*[:：]?\s*\d[\d,.]*\s*[kKmM]?\+?)$", re.I),
    # "Updated: 2026-06-12 22:52:00": an edit time, never the publication date.
    re.compile(r"^(?:Last\s+)?(?:Updated|Modified|Edited)(?:\s+(?:on|at))?\s*[:：]?\s*"
               r"(?:\d|" + MONTHS + r")[\w ,.:/-]{0,40}$", re.I),
)
CHROME_LINE_RE = re.compile("|".join(f"(?:{p.pattern})" for p in CHROME_LINE_RES), re.IGNORECASE)
# Anywhere in the line: searched only when the line holds a CJK character at all.
# Chinese-only chrome, and ICP licence lines ("沪ICP备07004232号": few CJK characters in a row)
CHROME_CJK_RE = re.compile(r"[\u4e00-\u9fff]{4,}|ICP[备证]|公网安备")
# Anywhere in the line: searched only when the casefolded line contains CHROME_COOKIE_NEEDLE
# (every match of the pattern does, so the needle test never loses one).
CHROME_COOKIE_RE = re.compile(r"\buses? cookies\b|\buse of cookies\b|\bcookie policy\b", re.I)
CHROME_COOKIE_NEEDLE = "cookie"
# Newsletter boxes inside the text; searched only when the casefolded line contains one of the
# two needles (every match of the pattern does).
CHROME_NEWSLETTER_RE = re.compile(
    r"\b(?:subscribe to|sign up (?:for|to)|join) (?:our|the) (?:[\w-]+ ){0,2}newsletters?\b"
    r"|\b(?:delivered|sent|straight|directly) to your inbox\b", re.I)
CHROME_NEWSLETTER_NEEDLE = "newsletter"
CHROME_INBOX_NEEDLE = "inbox"
CHROME_MAX_CHARS = 400
# A block whose text is mostly link text and shorter than this is navigation, not article text.
NAV_LINK_RATIO = 0.8
NAV_MAX_WORDS = 12

# Promo lines that say the rest is for subscribers (members-only pages show only a summary).
PAYWALL_HINT_RE = re.compile(r"\bsubscri|\blog(?:ging)? in\b|\bmembers?\b|\bfree trial\b", re.I)

# --- Page-type signals ---------------------------------------------------------------------------

# Summary-only pages (docs/site.md, "Page types"): body no longer than the summary by this factor,
# or a single short paragraph beside a subscribe line.
PARTIAL_MAX_RATIO = 1.15
PARTIAL_MAX_WORDS = 80

# --- Metals (for the `metals` field) -------------------------------------------------------------

# canonical name -> spellings; aluminium/aluminum fold to one name.
METAL_NAMES: dict[str, tuple[str, ...]] = {
    "aluminium": ("aluminium", "aluminum"),
    "alumina": ("alumina",),
    "antimony": ("antimony",),
    "bauxite": ("bauxite",),
    "cobalt": ("cobalt",),
    "copper": ("copper",),
    "gold": ("gold",),
    "iron ore": ("iron ore",),
    "lead": ("lead",),
    "lithium": ("lithium",),
    "magnesium": ("magnesium",),
    "manganese": ("manganese",),
    "molybdenum": ("molybdenum",),
    "nickel": ("nickel", "npi"),
    "rare earths": ("rare earth", "rare earths", "ndpr"),
    "silicon": ("silicon",),
    "silver": ("silver",),
    "stainless steel": ("stainless steel",),
    "steel": ("steel", "rebar", "hot metal", "pig iron"),
    "tin": ("tin",),
    "titanium": ("titanium",),
    "tungsten": ("tungsten",),
    "zinc": ("zinc",),
}

# --- Client-rendered pages (app shells) ----------------------------------------------------------

# A page whose article a script inserts after load (docs/site.md, "Sitemaps and metadata": the
# 2024 list pages were umi/antd, a Next.js template is known): the served HTML is an empty
# mount point plus scripts.
# Mount points of the common frameworks: React/umi (`#root`), Vue (`#app`), Next.js (`#__next`),
# Nuxt (`#__nuxt`), Gatsby (`#___gatsby`), or a framework attribute on any element.
APP_ROOT_RE = re.compile(
    r"""<[a-z][\w-]*\b[^>]*?(?:\bid\s*=\s*["']?(?P<id>root|app|__next|__nuxt|___gatsby|main-app"""
    r"""|app-root)["'\s>]|\b(?P<attr>data-reactroot|ng-app|ng-version|data-v-app|data-server-rendered)"""
    r"""\b)""",
    re.IGNORECASE,
)
SCRIPT_TAG_RE = re.compile(r"<script\b", re.IGNORECASE)
# "You need to enable JavaScript to run this app." (create-react-app, umi) and its variants.
NOSCRIPT_JS_RE = re.compile(r"<noscript\b[^>]*>[^<]*\b(?:enable|requires?|turn on)\b[^<]*"
                            r"JavaScript", re.IGNORECASE)
# At most this many words of visible text: a shell shows a spinner or a menu, never an article.
SHELL_MAX_VISIBLE_WORDS = 60
# ...and its mount point holds at most a "Loading…" (a login form or a menu rendered into the
# root is a server-rendered page, not a shell).
SHELL_MAX_ROOT_WORDS = 8

# --- Listing pagination (smmnews/extract/pager.py) -----------------------------------------------

# Text of a pager's "next" link ("Next", "Next Page", "›", "»", "Older posts"); "More News" and
# "Load More" are buttons that call a script on the 2024 list pages (docs/site.md,
# "Listings"), not links.
NEXT_TEXT_RE = re.compile(r"^(?:next(?:\s+page)?|older(?:\s+(?:news|posts|articles))?"
                          r"|下一页)?\s*[›»>→]{0,2}$", re.IGNORECASE)
# The page number in a listing URL: ?page=2, &p=2, ?pageNo=2, /page/2, /pages/2 (news.smm.cn
# uses /l/94/pages/1, the Chinese sister site), /p/2.
PAGE_NUMBER_RE = re.compile(r"(?:[?&](?:page|p|pageNo|pageNum|page_no)=|/(?:page|pages|p)/)"
                            r"(?P<n>\d{1,4})(?=$|[/?&#])", re.IGNORECASE)
# A "Load More" control: items beyond the first page come from a script's request (docs/site.md,
# "Listings":
# `div.footer___PvIjk span` "More News" on the 2024 list pages).
LOAD_MORE_RE = re.compile(r"^(?:load|show|view)\s+more(?:\s+news)?$|^more\s+news$|^加载更多$",
                          re.IGNORECASE)
