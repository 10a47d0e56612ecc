"""Benchmarks. They measure and report; they never pass or fail a build."""
