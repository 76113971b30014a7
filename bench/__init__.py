"""Benchmarks: synthetic briefings at several scales, and the timings of each build stage."""
