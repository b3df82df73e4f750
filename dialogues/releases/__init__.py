"""Versioned data releases: a fixed, citable copy of the public archive.

- `schema`: the tables of a release and their Table Schemas, made from the models' fields.
- `tables`: the public rows of each table, read a chunk at a time.
- `writer`: builds a release in a temporary folder, validates it, and moves it into place.
- `changelog`: what changed since the previous release, read from that release's own files.
- `codebook`, `citation`: the codebook and CITATION.cff, from the same schema and metadata.
- `store`: where releases live, their versions, and reading them back for the pages.
- `views`: the `/data/` page and the downloads.
"""
