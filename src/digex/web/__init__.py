"""The web service (`digex serve`): the JSON API and, later, the SDMX REST API, read from
release snapshot files and the served-release index, never from the live store.

Importing this package imports nothing heavy: `digex.web.index` is what the release commands
call to keep the index up to date, and they must not pay for FastAPI.
"""
