"""The output formatter: renders the requested formats of a finished run, then completes the job."""
