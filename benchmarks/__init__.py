"""Benchmarks: one entry point, `python -m benchmarks --size N [--postgres URL]`
(`make bench`, `make bench-quick`), that builds fictional data with `sijil demo` and prints a
table of medians, ratios to what users would use instead, and the targets of
docs/design.md's performance section. Each case lives in its own module:
cases_io (import, export, demo), cases_search (search, pages), cases_audit (verify),
cases_login (log-in cost), cases_browser (several people at once)."""
