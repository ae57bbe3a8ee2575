"""``python -m benchmarks``: every benchmark of issue 8 (see :mod:`benchmarks.run_all`)."""

from benchmarks.run_all import main

if __name__ == "__main__":
    main()
