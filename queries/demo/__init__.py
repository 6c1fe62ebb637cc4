"""Deterministic demo data for the registration store.

`load_demo` replaces the store's contents with a synthetic but plausible history of the Loket,
from its start in Noord-Nederland (May 2012) to the last complete month before a given date.

By default the history is calibrated to the figures of the 2014 evaluation for May 2012 - March
2014 (429 registrations, about 2,500 phone contacts, 16 survey responses of which 14 graded 7 or
higher, 13,973 website visits, 25% referred back to the unit, ...) and then grows gradually. With
`registrations=N` the same shapes are scaled to N registrations; rows are generated with numpy
and written batch by batch, so memory stays bounded however large N is.

Nothing here describes a real client: every row is drawn from `numpy.random.default_rng(seed)`.

Modules, by job: `calibration` (the evaluation's figures and every share, rate and weight),
`draw` (numpy helpers), `timeline` (registrations per month and unit, and the chunks),
`generate` (each table's rows, one chunk at a time), `load` (writing them to the store).
"""
from queries.demo.load import DEMO_TABLES, DemoSummary, load_demo
from queries.demo.timeline import CHUNK_REGISTRATIONS

__all__ = ["CHUNK_REGISTRATIONS", "DEMO_TABLES", "DemoSummary", "load_demo"]
