"""The import of the registration system's export files into the store: parse, validate, load.

Modules: `importer` (one import, from files to a loaded batch and a refresh), `contract` (the
files' types, columns and headers), `parse` (reading CSV and XLSX), `values` (one value), `validate`
(rows, rules across columns, keys and references), `load` (writing batches and rows), `report`
(errors and the report of rejected rows), `columns` (reading the store column-wise for the refresh).
"""
