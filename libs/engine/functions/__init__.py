"""Expression functions (``abs()``, ``substr()``, ``mdy()``, ``el()`` ...).

:mod:`~libs.engine.functions.catalog` holds the one registration decorator, ``@function``,
and :func:`~libs.engine.functions.catalog.lookup`; each module here registers its family:
``maths`` (maths, logical, random numbers), ``distributions`` (cumulatives, tails,
densities, inverses, draws), ``strings``, ``dates``, ``matrices`` (and ``scalar()``).
Importing this package registers them all. A new function goes into the module of its
family (or a new module listed below) — see docs/engine.md.
"""

from __future__ import annotations

from libs.engine.functions import dates, distributions, maths, matrices, strings
from libs.engine.functions.catalog import Context, Function, function, lookup

__all__ = ["Context", "Function", "dates", "distributions", "function", "lookup", "maths",
           "matrices", "strings"]
