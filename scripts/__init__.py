"""Developer tools run with `python -m scripts.NAME`.

Screenshots, page weights, and the mutation check that proves the suite can fail.
"""
