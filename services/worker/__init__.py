"""The Stata-runner: takes run items, runs the do-file on an engine, hands over."""
