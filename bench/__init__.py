"""Benchmarks of Autoencoder Lab: `python -m bench` runs them all, `python -m bench.NAME` runs one.

Every figure that matters is a ratio against a baseline measured in the same run; results go to
bench/results/<name>.json and bench/results/REPORT.md (not committed).
"""
