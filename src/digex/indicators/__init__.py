"""Indicators: defined once as Ibis expressions (engine), shaped into tidy tables (suite),
checked (consistency), cached in the store (cache). Import submodules directly: importing
this package stays free of Ibis, which costs about a second to load."""
