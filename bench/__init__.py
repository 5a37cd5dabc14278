"""Benchmarks: extraction quality, speed and robustness against other extractors, crawl figures.

Each module prints its own table and returns its figures from `main()`; `bench/run.py` runs them
all and writes the figures to JSON. Nothing here asserts a timing: figures are reported, not gated.
"""
