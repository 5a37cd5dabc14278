"""`smmnews probe`: first contact with a site (robots.txt, sitemaps, listings, known articles),
reported per discovery path and per article field, so the operator sees in minutes what works."""
