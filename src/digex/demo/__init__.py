"""Synthetic demo data: declarations, exchange rates and jobs that reproduce the published figures.

Everything here is invented and labelled so; see `generate`.
"""

from digex.demo.generator import DemoFiles, generate

__all__ = ["DemoFiles", "generate"]
