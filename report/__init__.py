"""The decision report: verdicts, charts and tables built from one benchmark results file, and nothing else."""
