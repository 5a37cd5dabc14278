"""Pure extraction: HTML text and a URL in, data out. Imports nothing from the crawler.

The entry points are `smmnews.extract.article.extract_article` and
`smmnews.extract.listing.extract_listing_links`; this package imports none of its modules, so
importing one (the date parser, say) stays light.
"""
