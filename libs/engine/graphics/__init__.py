"""Stata's graphics for the embedded engine: twoway plots, histograms, densities, bar and box
charts, binned scatters, graph memory, export and the run's graph list.

A graph command builds a :class:`~libs.engine.graphics.model.Graph` (plain data: the points
of every layer, titles, axes, legend) and hands it to the session's graph memory; drawing it
with matplotlib happens in :mod:`libs.engine.graphics.draw` only, which imports matplotlib when
the first graph is drawn, so a do-file that draws nothing never pays for it.
"""
