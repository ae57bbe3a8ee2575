"""Helpers shared by the tests: one place, imported as ``tests.helpers.<module>``.

- ``browser``: a headless Chromium for the browser tests (the ``browser`` fixture);
- ``cli``: running the command line in-process and checking its one-line errors;
- ``paths``: the repository's root, scenario library and shipped files;
- ``results``: the columns of the result tables;
- ``strategies``: Hypothesis strategies of valid scenarios (with and without dispatch);
- ``invariants``, ``dispatch_invariants``: the checks the property tests run on one
  replication's records;
- ``traces``: fixed durations, runs with given arrival times and plain values for the
  exact-trace tests.

No test module imports another; what two of them share lives here.
"""
