"""Listing dialogues: the filters and sorts, facets, read-side selectors, the list in words,
and `browse.Browse`, the one listing built per request that the list, the API and the
downloads read from.
"""
