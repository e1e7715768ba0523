"""Benchmarks: run on purpose (``python -m tests.bench.run_all``), never in the default suite."""
