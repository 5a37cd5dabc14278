"""Scrapy settings for smmnews: only what differs from Scrapy's defaults, each with its reason.

Per-run overrides come from `-s NAME=value`; spider arguments (`-a`) choose what to crawl.
"""

from __future__ import annotations

from smmnews.exporters import EXPORTERS
from smmnews.extract.decode import MAX_PAGE_BYTES
from smmnews.items import RECORD_FIELDS

BOT_NAME = "smmnews"
SPIDER_MODULES = ["smmnews.spiders"]
NEWSPIDER_MODULE = "smmnews.spiders"
# `crawl` exits non-zero when a job-health monitor fails (cron and scrapyd then report it).
COMMANDS_MODULE = "smmnews.commands"

# --- Politeness and security defaults of a production crawler ---
USER_AGENT = "smmnews/0.1 (+https://github.com/smmnews/smmnews; metals news archiver)"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_DELAY = 0.5
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30
# Article pages are well under 1 MB; anything over 8 MB is not a news page. One limit for the
# downloader and for the extractor (`smmnews extract` reads files, not responses).
DOWNLOAD_MAXSIZE = MAX_PAGE_BYTES
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
# 500/503 and friends are retried, then counted; 404/410 are final (normal in id sweeps).
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19 starts an HTTP remote-control server per crawl by default: never in production.
REMOTE_CONTROL_ENABLED = False
# Redirects to other hosts (a login portal) are dropped by offsite filtering like any link.
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
LOG_LEVEL = "INFO"
# One line per dropped or failed record, never the record itself (smmnews/logformatter.py).
LOG_FORMATTER = "smmnews.logformatter.RecordLogFormatter"

# --- Dedup by article id: two slugs of one article are one request ---
REQUEST_FINGERPRINTER_CLASS = "smmnews.fingerprint.ArticleFingerprinter"
DUPEFILTER_CLASS = "smmnews.fingerprint.ArticleDupeFilter"

DOWNLOADER_MIDDLEWARES = {
    # Offsite by host, port and scheme (Scrapy's own filter looks at the host name only).
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "smmnews.middlewares.SiteOffsiteMiddleware": 45,
    # Right after Scrapy's robots.txt check (100): see the class for why.
    "smmnews.middlewares.RobotsVerdictMiddleware": 101,
    # Before robots.txt (100): a known article needs no robots check and no fetch.
    "smmnews.middlewares.KnownArticlesMiddleware": 50,
    # Next to the downloader, so every response is seen as received (still content-encoded),
    # robots.txt, redirects and errors included. The stamp runs first (higher number).
    "smmnews.archive.middleware.FetchTimeMiddleware": 960,
    "smmnews.archive.middleware.ArchiveMiddleware": 950,
    # Before RetryMiddleware (550) sees a 429/503: the retry then waits as the site asked.
    "smmnews.slowdown.RetryAfterMiddleware": 560,
}
# Longest wait a Retry-After header can impose between two requests (seconds; 0: ignore it).
SMMNEWS_RETRY_AFTER_MAX = 120.0

# `scrapy check` runs the callbacks' contracts against SMMNEWS_BASE_URL (a mirror or the site).
SPIDER_CONTRACTS = {"smmnews.contracts.SiteContract": 10}

# --- Items ---
# Validation first: a rejected record must never touch the state store.
ITEM_PIPELINES = {
    "smmnews.pipelines.ValidationPipeline": 300,
    "smmnews.pipelines.IncrementalPipeline": 400,
}
EXTENSIONS = {
    "smmnews.extensions.RecoveryExtension": 10,
    "smmnews.extensions.FailureWatch": 20,
    "smmnews.extensions.ProgressLog": 500,
    "smmnews.monitors.JobMonitors": 900,
    "smmnews.extensions.RunSummary": 950,
}

# --- Output: crash-safe JSON Lines through the feed exports ---
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORT_FIELDS = list(RECORD_FIELDS)
# Every built-in format writes the record as documented (smmnews/exporters.py).
FEED_EXPORTERS = {name: f"smmnews.exporters.{cls.__name__}" for name, cls in EXPORTERS.items()}
FEED_STORAGES = {"": "smmnews.feeds.AtomicFileFeedStorage",
                 "file": "smmnews.feeds.AtomicFileFeedStorage"}
FEED_URI_PARAMS = "smmnews.feeds.uri_params"
# Even an empty run publishes its (empty) file: a scheduled job always leaves a result.
FEED_STORE_EMPTY = True
# Scheduled runs without -o/-O get one file per run under a dated folder; the spider adds
# this only when no feed is configured (a FEEDS setting here would be merged with -O).
SMMNEWS_DEFAULT_FEED = "out/%(date)s/%(name)s-%(time)s.jsonl"

# --- Archive: every response as WARC (smmnews/archive/), for `smmnews reextract` ---
# A directory, or empty for none. Scheduled runs (no -o/-O) archive to SMMNEWS_DEFAULT_ARCHIVE
# unless SMMNEWS_ARCHIVE is given (`-s SMMNEWS_ARCHIVE=` turns it off).
SMMNEWS_ARCHIVE = ""
SMMNEWS_DEFAULT_ARCHIVE = "out/archive"
# A new file past this size; 1 GB is the usual WARC file size of crawlers (Heritrix, wget).
SMMNEWS_ARCHIVE_MAX_BYTES = 1024 * 1024 * 1024

# --- smmnews ---
SMMNEWS_BASE_URL = "https://news.metal.com/"
# Listing pages followed from the base URL (docs/site.md, "Listings"); sitemaps are found via
# robots.txt.
SMMNEWS_LISTINGS = ["/", "/en/copper", "/en/aluminium", "/en/nickel", "/en/zinc",
                    "/en/lithium", "/en/cobalt", "/list/industry/aluminium"]
SMMNEWS_SITEMAPS = ["/sitemap.xml", "/sitemap/sitemap-list.xml"]
# Levels of sitemap indexes followed, and sitemaps fetched per run: an index linking to itself
# or to endless generated indexes must not become an endless crawl.
SMMNEWS_SITEMAP_MAX_DEPTH = 3
SMMNEWS_SITEMAP_MAX_COUNT = 1000
SMMNEWS_STATE_FACTORY = "smmnews.state.sqlite_state"
# Set by `scrapy crawl` (smmnews/commands/crawl.py): the default feed, the run summary and the
# job monitors belong to crawl jobs, not to `scrapy parse`, `check` or `shell`.
SMMNEWS_CRAWL_JOB = False
SMMNEWS_STATE_PATH = ".smmnews/state.sqlite"
# Seconds a state call may wait for SQLite's write lock (the reactor waits with it); longer and
# the crawl fails, naming the file, instead of stalling.
SMMNEWS_STATE_BUSY_TIMEOUT = 2.0
# At start, publish the `.part` other crashed runs left (smmnews/feeds.py); distributed
# workers turn this off: there, another output's `.part` is a live worker's.
SMMNEWS_SALVAGE_ORPHANS = True
SMMNEWS_PROGRESS_INTERVAL = 30.0

# Job-health thresholds (smmnews/monitors.py); a failed monitor makes `scrapy crawl` exit 3.
SMMNEWS_MONITOR_MIN_ITEMS = 1
SMMNEWS_MONITOR_MIN_COVERAGE = {"title": 1.0, "published_at": 0.9, "body": 1.0}
# Share of items whose title and date came from text patterns, not page metadata. Whether the
# live site carries metadata is unverified (docs/site.md, "Sitemaps and metadata"); lower this
# once it is confirmed.
SMMNEWS_MONITOR_MAX_TEXT_FALLBACK = 0.9
SMMNEWS_MONITOR_MAX_ERROR_RATE = 0.2
SMMNEWS_MONITOR_MAX_DROP_RATE = 0.2
# Pages seen before the rates are judged: a tiny run proves nothing either way.
SMMNEWS_MONITOR_MIN_PAGES = 10

# --- Pages that need JavaScript (smmnews/render.py, README "First run on the live site") ---
# never: an app shell is counted as bad_page/needs_javascript (the log line names the remedy);
# auto: only such pages are fetched again through a headless Chromium (scrapy-playwright, the
# `render` extra); always: every article page is rendered (slow; for a client-rendered site).
SMMNEWS_RENDER = "never"
# The host's Chromium (Debian: apt-get install chromium); Playwright's own browser downloads
# are never used.
SMMNEWS_CHROMIUM_PATH = "/usr/bin/chromium"
# --no-sandbox: the crawler may run as root (containers, CI), where Chromium's sandbox refuses
# to start; no network use of its own (updates, sync, QUIC probes) besides the page.
SMMNEWS_CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                         "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync"]
SMMNEWS_RENDER_TIMEOUT = 30.0
# When a rendered page counts as loaded: networkidle (no request for 0.5 s: the article's XHR
# has come back); `load` for a site that never goes idle (long polling, chat widgets).
SMMNEWS_RENDER_WAIT_UNTIL = "networkidle"
# Pages open in the browser at once (each is a tab of one context).
SMMNEWS_RENDER_CONCURRENCY = 2

# --- Listings beyond their first page ---
# "Next" links (rel=next, a "Next" pager link, the link to page N+1) are followed up to this
# many pages per listing; a page that brings no article not seen before ends the walk.
SMMNEWS_LISTING_MAX_PAGES = 20
# JSON endpoints paged like a listing (the request behind a "Load More" button); shape in
# smmnews/extract/endpoint.py and the README. Empty: the live endpoint is not known yet.
SMMNEWS_LISTING_ENDPOINTS: list[dict[str, object]] = []
