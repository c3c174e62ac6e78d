"""SDMX: a release's structures, data and error messages, as the export command and the web
server's SDMX REST routes both make them.

Everything here is a pure function of one release read from its snapshot
(`digex.publish.figures.ReleaseFigures`: the public view only). `structures.structures` gives
the dataflow, DSD, concept scheme and code lists; `query.parse_query` checks a REST data
query; `data.select` finds its observations and `data.data_message` writes them (SDMX-ML 2.1
generic or structure-specific, SDMX-CSV 1.0 or 2.0, SDMX-JSON 1.0); `errors.error_message`
writes an SDMX-ML Error message.
"""
