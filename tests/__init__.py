"""The test suite, grouped by kind; shared helpers live in tests/helpers."""
