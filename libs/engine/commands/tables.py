"""Text and spreadsheet files: ``import``/``export`` ``delimited``/``excel``, ``insheet``,
``outsheet``, and ``ss_export_table`` (results/<name>.csv, docs/results.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from libs.engine import missing, storage_types, varlist
from libs.engine.dataset import Column, Dataset
from libs.engine.errors import StataError
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec

_IMPORT_DELIM = Spec("anything [, clear DELIMiters(string) VARNames(string) CASE(string) "
                     "ENCoding(string) STRINGCols(string) NUMERICCols(string) ASDOUBle "
                     "BINDQuotes(string) ROWRange(string) COLRange(string) QUOTES(string) "
                     "STRIPQuotes(string) MAXQuotedrows(string) PARSELocale EMPTYlines(string)]")
_IMPORT_EXCEL = Spec("anything [, clear SHeet(string) CELLRAnge(string) FIRSTrow ALLstring "
                     "CASE(string) LOCale(string)]")
_EXPORT = Spec("[varlist] [if] [in] using/ [, replace DELIMiter(string) NOVARNames NOLabel "
               "QUOTE DATAfmt SHeet(string) FIRSTrow(string) SHEETMODify SHEETREPlace "
               "cell(string) KEEPCellfmt]")
_SS_TABLE = Spec("anything [if] [in] [, replace]")


@command("import", syntax=None)
def import_(session: Session, args: Args) -> None:
    """``import delimited ...`` / ``import excel ...``."""
    sub, _, rest = args.raw.strip().partition(" ")
    if "delimited".startswith(sub) and len(sub) >= 5:
        _import_delimited(session, rest)
    elif sub == "excel":
        _import_excel(session, rest)
    else:
        raise StataError(199, f"import {sub} is not supported by the embedded engine; this "
                              "template needs real Stata (SS_STATA_CMD)")


@command("insheet", syntax=None)
def insheet(session: Session, args: Args) -> None:
    """``insheet using file`` (old name of import delimited)."""
    _import_delimited(session, args.raw.replace("using", "", 1))


def _without_using(text: str) -> str:
    """``import delimited [using] file``: the filename with or without ``using``."""
    stripped = text.strip()
    return stripped[6:] if stripped.startswith("using ") else stripped


def _filename(text: str) -> str:
    text = text.strip()
    if text.startswith("using "):
        text = text[6:].strip()
    return text.strip('"')


def _guard_data(session: Session, clear: bool) -> None:
    if session.data.changed and session.data.vars and not clear:
        raise StataError(4, "no; dataset in memory has changed since last saved")


def _import_delimited(session: Session, text: str) -> None:
    parsed = _IMPORT_DELIM.parse(_without_using(text), session)
    _guard_data(session, bool(parsed.opt("clear")))
    path = session.path(_filename(parsed.anything), ext=".csv", must_exist=True)
    delim = parsed.opt("delimiters")
    sep = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "space": " "}.get(
        delim or "", delim) if delim else None
    header = parsed.opt("varnames") != "nonames"
    raw = path.read_bytes()
    try:
        content = raw.decode(parsed.opt("encoding") or "utf-8")
    except UnicodeDecodeError:
        content = raw.decode("latin-1")
    frame = pd.read_csv(io.StringIO(content), sep=sep, engine="python" if sep is None else "c",
                        header=0 if header else None, dtype=str, keep_default_na=False,
                        skipinitialspace=False)
    case = parsed.opt("case") or "lower"
    ds = _from_frame(frame, header=header, case=case,
                     as_double=bool(parsed.opt("asdouble")),
                     string_cols=_cols(parsed.opt("stringcols")))
    session.data = ds
    session.data_filename = ""
    session.tsset = None
    session.log.out(f"({len(ds.vars)} var{'s' if len(ds.vars) != 1 else ''}, {ds.n:,} obs)")


def _cols(text: str | None) -> set[int]:
    if not text:
        return set()
    out: set[int] = set()
    for part in text.split():
        if "/" in part:
            a, b = part.split("/")
            out.update(range(int(a), int(b) + 1))
        elif part == "_all":
            out.update(range(1, 100_000))
        else:
            out.add(int(part))
    return out


def _name(raw: str, k: int, case: str, seen: set[str]) -> str:
    name = re.sub(r"\W", "", raw.strip()) if raw else ""  # "First Name" -> firstname
    if case == "lower":
        name = name.lower()
    elif case == "upper":
        name = name.upper()
    if not name or name[0].isdigit():
        name = f"v{k}"
    name = name[:32]
    while name in seen:
        name = f"v{k}" if name != f"v{k}" else f"v{k}_"
    seen.add(name)
    return name


def _from_frame(frame: pd.DataFrame, *, header: bool, case: str, as_double: bool = False,
                string_cols: set[int] | None = None) -> Dataset:
    """Text cells → typed variables: numbers where every cell parses, strings otherwise."""
    ds = Dataset()
    ds.n = len(frame)
    seen: set[str] = set()
    for k, label in enumerate(frame.columns, start=1):
        cells = frame[label].astype(object).where(frame[label].notna(), "").to_numpy(
            dtype=np.object_)
        cells = np.array([str(c).strip() for c in cells], dtype=np.object_)
        name = _name(str(label) if header else "", k, case, seen)
        numbers = pd.to_numeric(pd.Series(cells).replace("", None), errors="coerce")
        values = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
        parsed_all = bool((~np.isnan(values) | (cells == "") | (cells == ".")).all())
        column: Column
        if parsed_all and k not in (string_cols or set()) and len(cells):
            column = values
            stype = storage_types.compact_type(values)
            if stype in ("float", "double"):  # Stata imports decimals as float unless asdouble
                stype = "double" if as_double else "float"
        else:
            column = cells
            stype = storage_types.string_type_for(cells)
        ds.add(name, column, stype)
        if header and str(label) != name:
            ds.vars[name].label = str(label)
    ds.changed = True
    return ds


def _import_excel(session: Session, text: str) -> None:
    parsed = _IMPORT_EXCEL.parse(_without_using(text), session)
    _guard_data(session, bool(parsed.opt("clear")))
    path = session.path(_filename(parsed.anything), ext=".xlsx", must_exist=True)
    sheet = parsed.opt("sheet") or 0
    header = bool(parsed.opt("firstrow"))
    frame = pd.read_excel(path, sheet_name=sheet, header=0 if header else None, dtype=object,
                          engine="calamine")
    cellrange = parsed.opt("cellrange")
    if cellrange:
        frame = _cell_range(path, sheet, cellrange, header)
    if not header:
        frame.columns = [_excel_column(i) for i in range(len(frame.columns))]
    date_formats = {} if parsed.opt("allstring") else _excel_dates(frame)
    frame = frame.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v))
                      else (repr(v) if isinstance(v, float) else str(v)))
    ds = _from_frame(frame, header=True, case=parsed.opt("case") or "preserve",
                     string_cols=set(range(1, frame.shape[1] + 1)) if parsed.opt("allstring")
                     else None)
    for k, fmt in date_formats.items():
        ds.vars[ds.varnames[k]].format = fmt
    session.data = ds
    session.data_filename = ""
    session.tsset = None
    session.log.out(f"({len(ds.vars)} var{'s' if len(ds.vars) != 1 else ''}, {ds.n:,} obs)")


def _excel_dates(frame: pd.DataFrame) -> dict[int, str]:
    """Turn date/datetime columns into Stata dates in place (days, or ms for times);
    return {column position: display format}."""
    found: dict[int, str] = {}
    for k, label in enumerate(frame.columns):
        cells = [v for v in frame[label] if v is not None and not (isinstance(v, float)
                                                                   and np.isnan(v))]
        if not cells or not all(isinstance(v, dt.date) for v in cells):
            continue
        stamps = pd.to_datetime(pd.Series(frame[label], dtype=object))
        timed = any(isinstance(v, dt.datetime) and v.time() != dt.time() for v in cells)
        delta = stamps - pd.Timestamp("1960-01-01")
        values = (delta.dt.total_seconds() * 1000 if timed else delta.dt.days).astype(object)
        frame[label] = values.where(stamps.notna(), None)
        found[k] = "%tc" if timed else "%td"
    return found


def _cell_range(path: Path, sheet: object, cellrange: str, header: bool) -> pd.DataFrame:
    m = re.match(r"^([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?$", cellrange.upper())
    if m is None:
        raise StataError(198, f"cellrange({cellrange}) invalid")
    full = pd.read_excel(path, sheet_name=sheet, header=None, dtype=object, engine="calamine")
    c0, r0 = _col_index(m.group(1)), int(m.group(2)) - 1
    c1 = _col_index(m.group(3)) + 1 if m.group(3) else full.shape[1]
    r1 = int(m.group(4)) if m.group(4) else full.shape[0]
    block = full.iloc[r0:r1, c0:c1]
    if header:
        block.columns = [str(v) for v in block.iloc[0]]
        block = block.iloc[1:]
    return block.reset_index(drop=True)


def _col_index(letters: str) -> int:
    value = 0
    for ch in letters:
        value = value * 26 + ord(ch) - 64
    return value - 1


def _excel_column(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def number_text(value: float) -> str:
    """A number at full precision for CSV output ('' when missing)."""
    if not np.isfinite(value):
        return ""
    if value == int(value) and abs(value) < 1e16:
        return str(int(value))
    return repr(float(value))


def _rows(ds: Dataset, names: list[str], mask: np.ndarray, *, labels: bool) -> list[list[str]]:
    columns: list[list[str]] = []
    for name in names:
        var = ds.vars[name]
        col = ds.cols[name][mask]
        if var.is_string:
            columns.append([str(v) for v in col])
        elif labels and var.value_label in ds.value_labels:
            mapping = ds.value_labels[var.value_label]
            columns.append([mapping.get(missing.label_key(float(v)), number_text(float(v)))
                            for v in col])
        else:
            columns.append([number_text(float(v)) for v in col])
    return [list(r) for r in zip(*columns, strict=True)] if columns else []


def write_csv(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",") -> None:
    """Write a UTF-8 CSV with minimal quoting."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter, lineterminator="\n")
        if header:
            writer.writerow(header)
        writer.writerows(rows)


@command("export", syntax=None)
def export(session: Session, args: Args) -> None:
    """``export delimited|excel [varlist] using file [if] [in] [, replace nolabel ...]``."""
    sub, _, rest = args.raw.strip().partition(" ")
    parsed = _EXPORT.parse(rest, session)
    ds = session.data
    assert parsed.using is not None
    names = parsed.varlist or ds.varnames
    mask = parsed.touse(session)
    excel = sub == "excel"
    if not excel and not ("delimited".startswith(sub) and len(sub) >= 5):
        raise StataError(199, f"export {sub} is not supported by the embedded engine")
    path = session.path(parsed.using, ext=".xlsx" if excel else ".csv")
    if path.exists() and not (parsed.opt("replace") or parsed.opt("sheetreplace")
                              or parsed.opt("sheetmodify")):
        raise StataError(602, f"file {path.name} already exists")
    rows = _rows(ds, names, mask, labels=not parsed.opt("nolabel"))
    if excel:
        header = names if parsed.opt("firstrow") == "variables" else (
            [ds.vars[n].label or n for n in names] if parsed.opt("firstrow") == "varlabels"
            else [])
        frame = pd.DataFrame([[_cell(ds, n, v) for n, v in zip(names, row, strict=True)]
                              for row in rows], columns=names)
        frame.to_excel(path, sheet_name=parsed.opt("sheet") or "Sheet1", index=False,
                       header=header or False, engine="openpyxl")
    else:
        delim = parsed.opt("delimiter") or ","
        write_csv(path, [] if parsed.opt("novarnames") else names, rows,
                  "\t" if delim == "tab" else delim)
    session.log.out(f"file {path.name} saved")


def _cell(ds: Dataset, name: str, text: str) -> object:
    if ds.vars[name].is_string or not text:
        return text
    try:
        return float(text)
    except ValueError:
        return text


@command("outsheet", syntax=None)
def outsheet(session: Session, args: Args) -> None:
    """``outsheet [varlist] using file`` (old name of export delimited, comma)."""
    export(session, Args(raw="delimited " + args.raw.replace(", comma", ",").rstrip(",")))


@command("ss_export_table", syntax=None)
def ss_export_table(session: Session, args: Args) -> None:
    """``ss_export_table name [varlist] [if] [in]``: write results/<name>.csv."""
    parsed = _SS_TABLE.parse(args.raw, session)
    words = parsed.anything.split()
    if not words:
        raise StataError(198, "ss_export_table: table name required")
    name = words[0]
    if not re.match(r"^[A-Za-z0-9_\-]+$", name):
        raise StataError(198, f"ss_export_table: invalid table name {name}")
    ds = session.data
    names = varlist.expand(ds, " ".join(words[1:])) if len(words) > 1 else ds.varnames
    folder = session.path("results")
    folder.mkdir(exist_ok=True)
    path = session.path(f"results/{name}.csv")
    write_csv(path, names, _rows(ds, names, parsed.touse(session), labels=True))
    session.log.out(f"(results/{name}.csv: {len(names)} columns, "
                    f"{int(parsed.touse(session).sum()):,} rows)")
