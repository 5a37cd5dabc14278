"""Distributed crawling: N `scrapy crawl smm_news` workers share one crawl through Redis.

scrapy-redis provides the shared frontier (a priority queue) and dupefilter; the modules here
adapt it to Scrapy 2.19 without deprecated calls, serialise requests as JSON instead of pickle,
lease every request a worker takes so a killed worker's share is finished by the others, and
keep the incremental state in Redis. Select it with `smmnews.distributed.settings`
(README, "Many workers, one crawl (Redis)").
"""
