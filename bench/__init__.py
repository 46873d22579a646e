"""Benchmarks: figures printed next to their baseline from the same run. Never asserted."""
