"""Maintenance scripts (not used at run or test time): `make vendor` refreshes the vendored web files."""
