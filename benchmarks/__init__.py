"""Benchmarks, each measured beside its baseline in the same run (`make bench`)."""
