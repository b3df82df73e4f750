"""Developer tools run with `python -m scripts.NAME`: screenshots and page weights."""
