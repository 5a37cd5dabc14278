"""Name every way a fetch can fail, for one clear log line and one stats counter each."""

from __future__ import annotations

from dataclasses import dataclass

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectionDone,
    ConnectionLost,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from smmnews.middlewares import KNOWN_ARTICLE


@dataclass(frozen=True, slots=True)
class Fault:
    stat: str  # stats key below smmnews/
    message: str
    is_error: bool  # False for the expected (a 404 in an id sweep, robots.txt disallow)


_KINDS: tuple[tuple[tuple[type[BaseException], ...], str, str], ...] = (
    ((DownloadTimeoutError, TimeoutError, TCPTimedOutError), "timeout", "timed out"),
    ((ResponseDataLossError,), "truncated", "body truncated (connection closed early)"),
    ((DownloadCancelledError,), "too_large", "cancelled: over the size limit"),
    ((ConnectionRefusedError, DownloadConnectionRefusedError), "refused", "connection refused"),
    ((DNSLookupError, CannotResolveHostError), "dns", "host name did not resolve"),
    ((ResponseNeverReceived, ConnectionLost, ConnectionDone, ResponseFailed),
     "connection_reset", "connection reset before a complete response"),
    ((DownloadFailedError,), "failed", "download failed"),
)


def classify(failure: Failure, *, sweep: bool = False) -> Fault:
    """What went wrong with a request, from the failure its errback received."""
    if isinstance(failure.value, HttpError):
        status = failure.value.response.status
        if status in (404, 410):
            if sweep:
                return Fault("sweep/missing", f"no article at this id (HTTP {status})", False)
            return Fault(f"http/{status}", f"gone (HTTP {status})", True)
        return Fault(f"http/{status}", f"HTTP {status} after retries", True)
    if failure.check(IgnoreRequest):
        text = str(failure.value)
        if text.startswith(KNOWN_ARTICLE):
            return Fault("skipped/known", "already in the state store", False)
        if "robots.txt" in text or "Forbidden by robots" in text:
            return Fault("robots_forbidden", "disallowed by robots.txt", False)
        if "max redirections" in text:
            return Fault("redirect_loop", "too many redirects (a redirect loop?)", True)
        if "during decompression" in text:
            return Fault("fetch_failed/decompression_bomb",
                         "decompressed body over DOWNLOAD_MAXSIZE (a gzip bomb?)", True)
        if "offsite" in text:
            return Fault("offsite/filtered", "offsite (other host, port or scheme)", False)
        return Fault("ignored", f"request ignored: {text or 'by a middleware'}", False)
    for kinds, stat, message in _KINDS:
        if failure.check(*kinds):
            detail = failure.getErrorMessage() if stat == "failed" else ""
            if "ConnectionLost" in detail or "ConnectionDone" in detail:
                stat, message, detail = "connection_reset", "connection reset", ""
            return Fault(f"fetch_failed/{stat}", f"{message}: {detail}" if detail else message,
                         True)
    name = type(failure.value).__name__
    return Fault(f"fetch_failed/{name}", f"{name}: {failure.getErrorMessage()}", True)
