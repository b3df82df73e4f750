"""Benchmarks of the archive's pages: `make bench` runs `python -m bench.run` (see run.py)."""
