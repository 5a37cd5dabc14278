"""Spiders: they decide what to fetch; smmnews.extract decides what a page says."""
