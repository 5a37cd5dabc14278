"""scrapyd-deploy builds the project egg with `python setup.py bdist_egg`; the metadata, the
dependencies and the `scrapy` entry point that names the settings module are in pyproject.toml."""

from setuptools import setup

setup()
