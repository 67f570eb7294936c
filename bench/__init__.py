"""Benchmarks (`make bench`): each script measures one thing against the real stack and writes bench/results/."""
