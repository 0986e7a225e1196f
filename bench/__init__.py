"""Benchmarks run by hand (``make bench``), never by pytest: see bench/README.md."""
