"""One module per output format; ``libs.reports.render`` dispatches to them."""
