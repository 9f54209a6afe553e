"""Session state of one run: data, macros, stored results, settings, programs, paths.

Nothing here is global: a run builds one :class:`Session` and drops it at the end, so a
forked worker child can run many jobs from one warm parent without leaking state.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import numpy.typing as npt

from libs.engine.dataset import Dataset
from libs.engine.errors import StataError
from libs.engine.executor import Executor
from libs.engine.graphics.model import GraphMemory
from libs.engine.groups import Groups
from libs.engine.lexer import LogicalLine
from libs.engine.log import Log
from libs.engine.results import Matrix, Results
from libs.engine.timeseries import TsSettings

DEFAULT_SEED = 123456789
_STORED_MATRIX = re.compile(r"^([res])\((\w+)\)$")  #: e(b), r(table), s(x)


@dataclass
class Settings:
    """``set`` parameters the engine honours."""

    type: str = "float"  #: default storage type of generate
    varabbrev: bool = True
    seed: int = DEFAULT_SEED
    scheme: str = "s2color"  #: graph scheme (``set scheme``)
    showbaselevels: bool = False  #: coefficient tables list base levels
    fvlabel: bool = True  #: coefficient tables show factor levels by their value labels


@dataclass
class Program:
    """A ``program define``d command: its body lines and class."""

    name: str
    body: list[LogicalLine]
    rclass: bool = False
    eclass: bool = False
    #: ``byable(recall)``: ``by`` calls it once per group and ``marksample`` keeps the group
    #: ("" when ``by`` may not call it; ``onecall`` is not provided)
    byable: str = ""
    #: ``sortpreserve``: the observations' order is put back when it returns
    sortpreserve: bool = False


@dataclass
class PostFile:
    """An open ``postfile``: the variables it declared, the observations ``post`` added, and
    the .dta file ``postclose`` writes them to."""

    path: Path
    names: list[str]
    types: list[str]
    rows: list[list[float | str]] = field(default_factory=list)


@dataclass
class ExcelTarget:
    """What ``putexcel set`` declared: the workbook later ``putexcel`` commands write."""

    path: Path
    name: str  #: the file name as typed, with ``.xlsx`` added when it had no extension
    sheet: str = "Sheet1"
    #: ``create`` (the file must not exist), ``modify`` or ``replace``; after the first
    #: write ``modify``, as Stata switches it
    mode: str = "create"
    sheet_replace: bool = False  #: ``sheet(name, replace)``: empty the sheet at the first write
    gridlines: bool | None = None  #: ``sheet(name, nogrid|grid)``
    keep_open: bool = False  #: ``open``: the workbook stays in memory until ``putexcel save``
    book: Any = None  #: the workbook in memory under ``open`` (an openpyxl Workbook)


@dataclass
class Frame:
    """One level of execution (the do-file, or a program call): locals and preserve."""

    locals: dict[str, str] = field(default_factory=dict)
    preserved: Dataset | None = None
    #: ``tsset``/``xtset`` travel with the data (Stata keeps them as ``_dta`` characteristics)
    preserved_tsset: TsSettings | None = None
    returns: Results | None = None  #: what ``return ...`` collects in an rclass program


class Session:
    """Everything a running do-file can see and change."""

    def __init__(self, workdir: Path, log: Log) -> None:
        self.workdir = workdir.resolve()
        self.cwd = self.workdir
        self.log = log
        self.data = Dataset()
        self.globals: dict[str, str] = {}
        self.frames: list[Frame] = [Frame()]
        self.r, self.e, self.s = Results(), Results(), Results()
        self.estimates: dict[str, Results] = {}  #: what ``estimates store`` keeps, by name
        self.scalars: dict[str, float | str] = {}
        self.matrices: dict[str, Matrix] = {}
        self.rc = 0
        self.failure: StataError | None = None  #: the error that stopped the run, if any
        self.settings = Settings()
        self.rng = np.random.default_rng(DEFAULT_SEED)
        self.programs: dict[str, Program] = {}
        self.tsset: TsSettings | None = None
        self.by: Groups | None = None  #: by-groups while a by-able command runs
        self.by_mask: npt.NDArray[np.bool_] | None = None  #: current group under recall-by
        #: a byable(recall) program's current group, and the frame depth of its call: what
        #: ``marksample`` in that call adds to its sample
        self.by_program: tuple[npt.NDArray[np.bool_], int] | None = None
        self.tempcount = 0
        self.regex_groups: list[list[str]] = []  #: regexm() captures per observation
        self.data_filename = ""
        self.temp_files: list[str] = []  #: tempfile paths, removed when the run ends
        self.file_handles: dict[str, TextIO] = {}  #: ``file open`` handles
        self.postfiles: dict[str, PostFile] = {}  #: open ``postfile``s by postname
        self.putexcel: ExcelTarget | None = None  #: the workbook ``putexcel set`` declared
        self.graphs = GraphMemory()  #: graphs by name and the run's graph list
        self._executor: Executor | None = None

    # -- execution ----------------------------------------------------------------------------
    @property
    def executor(self) -> Executor:
        """The interpreter running this session (``do``, loops and ``by`` run lines with it)."""
        if self._executor is None:
            raise RuntimeError("no interpreter is attached to this session")
        return self._executor

    def attach(self, executor: Executor) -> None:
        """Make ``executor`` the one that runs this session's lines."""
        self._executor = executor

    # -- macros ---------------------------------------------------------------------------------
    @property
    def frame(self) -> Frame:
        """The innermost execution frame."""
        return self.frames[-1]

    def get_local(self, name: str) -> str:
        """Local macro value ('' when undefined)."""
        return self.frame.locals.get(name, "")

    def set_local(self, name: str, value: str) -> None:
        """Define a local macro in the current frame."""
        self.frame.locals[name] = value

    def get_global(self, name: str) -> str:
        """Global macro value; ``S_DATE``/``S_TIME`` as Stata defines them."""
        if name in self.globals:
            return self.globals[name]
        now = dt.datetime.now()
        if name == "S_DATE":
            return now.strftime("%d %b %Y").lstrip("0")
        if name == "S_TIME":
            return now.strftime("%H:%M:%S")
        return ""

    # -- stored results -----------------------------------------------------------------------
    def scalar_value(self, name: str) -> float | str:
        """Value of scalar ``name`` (r(111) if there is neither such variable nor scalar)."""
        if name in self.scalars:
            value = self.scalars[name]
            return value if isinstance(value, str) else np.float64(value)
        raise StataError(111, f"{name} not found")

    def stored(self, cls: str, name: str) -> float | str | Matrix | npt.NDArray[np.bool_] | None:
        """``r(name)``, ``e(name)``, ``s(name)`` or ``c(name)``."""
        if cls == "c":
            return self.creturn(name)
        results = {"r": self.r, "e": self.e, "s": self.s}[cls]
        if cls == "e" and name == "sample":
            return results.sample if results.sample is not None else np.zeros(self.data.n, bool)
        return results.lookup(name)

    def matrix(self, text: str) -> Matrix:
        """The matrix ``text`` names: ``e(b)``, ``r(table)`` or a user matrix (r(111) if none)."""
        text = text.strip()
        m = _STORED_MATRIX.match(text)
        value = self.stored(m.group(1), m.group(2)) if m else self.matrices.get(text)
        if not isinstance(value, Matrix):
            raise StataError(111, f"matrix {text} not found")
        return value

    def creturn(self, name: str) -> float | str | None:
        """``c()`` values the templates use."""
        now = dt.datetime.now()
        values: dict[str, float | str] = {
            "N": self.data.n, "k": len(self.data.vars), "pi": math.pi, "rc": self.rc,
            "current_date": now.strftime("%d %b %Y").lstrip("0"),
            "current_time": now.strftime("%H:%M:%S"), "pwd": str(self.cwd),
            "stata_version": 17.0, "version": 17.0, "os": "Unix", "dirsep": "/",
            "maxvar": 5000, "epsdouble": float(np.finfo(np.float64).eps),
            "maxdouble": 8.9884656743115785e307, "mindouble": -8.9884656743115785e307,
            "alpha": "a b c d e f g h i j k l m n o p q r s t u v w x y z",
            "ALPHA": "A B C D E F G H I J K L M N O P Q R S T U V W X Y Z",
            "Mons": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
            "type": self.settings.type, "varabbrev": "on" if self.settings.varabbrev else "off",
            "filename": self.data_filename, "changed": float(self.data.changed),
            "filedate": self.data.saved,
            "level": 95.0, "seed": self.settings.seed, "scheme": self.settings.scheme,
        }
        return values.get(name)

    def post_r(self, results: Results) -> None:
        """Replace ``r()`` (what an r-class command does when it finishes)."""
        self.r = results

    def post_e(self, results: Results) -> None:
        """Replace ``e()`` (an estimation command posting its results)."""
        self.e = results

    # -- files --------------------------------------------------------------------------------
    def path(self, name: str, *, ext: str = "", must_exist: bool = False) -> Path:
        """Resolve a file name inside the working directory (r(603) outside, r(601) absent)."""
        name = name.strip().strip('"')
        if not name:
            raise StataError(198, "invalid file specification")
        target = Path(name).expanduser() if not name.startswith("~") else Path(name)
        if ext and not target.suffix:
            target = target.with_suffix(ext)
        full = (self.cwd / target).resolve()
        if not full.is_relative_to(self.workdir):
            raise StataError(603, f"file {name} could not be opened: outside the working "
                                  "directory (the engine confines every path to it)")
        if must_exist and not full.exists():
            raise StataError(601, f"file {target} not found")
        return full

    # -- names --------------------------------------------------------------------------------
    def tempname(self) -> str:
        """A fresh temporary name (``__000000``, ``__000001`` ... as Stata makes them)."""
        name = f"__{self.tempcount:06d}"
        self.tempcount += 1
        return name

    def set_seed(self, seed: int) -> None:
        """``set seed``: reseed the random-number generator."""
        self.settings.seed = seed
        self.rng = np.random.default_rng(seed)
