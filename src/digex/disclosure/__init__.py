"""Disclosure control: no published cell reveals a single enterprise group.

Data flows one way: `cube` builds a release's magnitude cells in leaf form (`problem.Cube`),
`rules` marks the sensitive cells, `suppress` chooses the complementary ones, `audit` (the
release gate, sharing no code with `suppress`) proves the pattern with linear programmes, and
`apply` carries the pattern to every observation of the release.
"""
