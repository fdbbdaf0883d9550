"""Helpers for the integration tests: real brokers and real processes."""
