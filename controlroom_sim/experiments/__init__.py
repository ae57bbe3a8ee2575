"""Running experiments: options, loading, the runner and its engines, the run folder and
resuming, and the public API (run, compare, sweep)."""
