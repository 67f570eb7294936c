"""Fault tests: kill, pause, duplicate and garble, and the final state must equal a clean run."""
