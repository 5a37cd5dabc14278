"""Raw responses kept in WARC files (ISO 28500), and re-extraction from them.

`files.py` writes crash-safe, rotated, gzip-per-record WARC files; `middleware.py` feeds it every
response the crawl receives; `reader.py` finds article responses in any WARC; `reextract.py` runs
the spider's record path over them.
"""
