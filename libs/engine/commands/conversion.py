"""Type conversions: ``recode``, ``encode``, ``decode``, ``destring``, ``tostring``."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from libs.engine import formats, missing, storage_types, textscan, varlist
from libs.engine.errors import StataError
from libs.engine.macros import split_words
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec

_RECODE = Spec("varlist(numeric) [if] [in] [, Generate(string) PREfix(string) COPYrest "
               "Label(name) TEST]")


def _targets(session: Session, args: Args, names: list[str]) -> list[str]:
    gen, prefix = args.opt("generate"), args.opt("prefix")
    targets: list[str]
    if gen:
        targets = str(gen).split()
    elif prefix:
        targets = [prefix + n for n in names]
    else:
        return names
    if len(targets) != len(names):
        raise StataError(198, "generate(): number of new names differs from the varlist")
    varlist.new_names(session.data, " ".join(targets))
    return targets


@command("recode", syntax=None)
def recode(session: Session, args: Args) -> None:
    """``recode varlist (rule) ... [if] [in] [, generate() prefix() copyrest]``."""
    comma = textscan.find_top(args.raw, ",")
    main, opts = (args.raw, "") if comma < 0 else (args.raw[:comma], args.raw[comma:])
    rules_text = re.findall(r"\(([^()]*)\)", main)
    parsed = _RECODE.parse(re.sub(r"\([^()]*\)", " ", main) + opts, session)
    if not rules_text:
        raise StataError(198, "no rules specified")
    rules = [_rule(r) for r in rules_text]
    ds = session.data
    touse = parsed.touse(session)
    targets = _targets(session, parsed, parsed.varlist)
    for name, target in zip(parsed.varlist, targets, strict=True):
        old = ds.numeric(name)
        new = old.copy() if (target == name or parsed.opt("copyrest")) else np.full(ds.n, np.nan)
        done = np.zeros(ds.n, dtype=np.bool_)
        labels: dict[float, str] = {}
        for matcher, value, text in rules:
            hit = matcher(old) & ~done & touse
            new = np.where(hit, old if value is None else value, new)
            done |= hit
            if text and value is not None:
                labels[value] = text
        if target == name:
            new = np.where(touse, new, old)
            stype = storage_types.promote(ds.vars[name].stype, new)
            changes = int((missing.order_key(new) != missing.order_key(old)).sum())
            ds.set(name, new, stype)
            session.log.out(f"({name}: {changes:,} change{'s' if changes != 1 else ''} made)")
        else:
            if not parsed.opt("copyrest"):
                new = np.where(done, new, np.nan)
            ds.add(target, new, _new_type(new), after=name)
            diff = int((missing.order_key(new) != missing.order_key(old)).sum())
            session.log.out(f"({diff:,} difference{'s' if diff != 1 else ''} between {name} "
                            f"and {target})")
        if labels:
            lbl = parsed.opt("label") or target
            ds.value_labels[lbl] = labels
            ds.vars[target].value_label = lbl


def _new_type(values: np.ndarray) -> str:
    """Type of a recoded copy: compact integers, else float."""
    best = storage_types.compact_type(values)
    return best if best in ("byte", "int", "long") else "float"


def _rule(text: str):  # type: ignore[no-untyped-def]
    """One recode rule ``numlist = value ["label"]`` → (matcher, value, label)."""
    left, eq, right = text.partition("=")
    if not eq:
        raise StataError(198, f"({text}) invalid rule")
    right_words = split_words(right)
    value_text = right_words[0] if right_words else ""
    label_text = right_words[1] if len(right_words) > 1 else ""
    value = None if value_text == "copy" else (
        missing.parse(value_text) if value_text.startswith(".") and missing.parse(value_text)
        is not None else float(value_text))
    matchers = []
    for tok in left.split():
        matchers.append(_matcher(tok))

    def match(x: np.ndarray) -> np.ndarray:
        out = np.zeros(len(x), dtype=np.bool_)
        for m in matchers:
            out |= m(x)
        return out

    return match, value, label_text


def _matcher(tok: str):  # type: ignore[no-untyped-def]
    key = missing.order_key
    if tok in ("else", "*"):
        return lambda x: np.ones(len(x), dtype=np.bool_)
    if tok in ("missing", "miss"):
        return lambda x: np.isnan(x)
    if tok in ("nonmissing", "nonm"):
        return lambda x: ~np.isnan(x)
    if "/" in tok:
        lo_t, hi_t = tok.split("/")
        lo = -np.inf if lo_t == "min" else float(lo_t)
        hi_inf = hi_t == "max"
        hi = np.inf if hi_inf else float(hi_t)
        return lambda x: (x >= lo) & ((x <= hi) if not hi_inf else ~np.isnan(x))
    special = missing.parse(tok)
    if special is not None:
        target = key(np.array([special]))[0]
        return lambda x: key(x) == target
    value = float(tok)
    return lambda x: x == value


@command("encode", abbrev=2, syntax="varname(string) [if] [in] , Generate(name) "
         "[Label(name) NOExtend]")
def encode(session: Session, args: Args) -> None:
    """``encode strvar, generate(newvar) [label(name)]``: codes 1..k in sorted order."""
    ds = session.data
    name, target = args.varlist[0], args.opt("generate")
    if target is None:
        raise StataError(198, "option generate() required")
    varlist.new_names(ds, target)
    lbl = args.opt("label") or target
    text = ds.strings(name)
    touse = args.touse(session) & (text != "")
    existing = dict(ds.value_labels.get(lbl, {}))
    by_text = {t: v for v, t in existing.items()}
    next_code = max(existing, default=0.0) + 1
    for value in sorted(set(text[touse])):
        if value not in by_text:
            if args.opt("noextend"):
                raise StataError(459, f"{value} not in value label {lbl}")
            by_text[value] = next_code
            next_code += 1
    codes = pd.Series(text).map(by_text).to_numpy(dtype=np.float64, na_value=np.nan)
    codes = np.where(touse, codes, np.nan)
    ds.value_labels[lbl] = {v: t for t, v in by_text.items()}
    ds.add(target, codes, "long", after=name, label=ds.vars[name].label)
    ds.vars[target].value_label = lbl


@command("decode",
         syntax="varname(numeric) [if] [in] , Generate(name) [MAXLength(integer 2045)]")
def decode(session: Session, args: Args) -> None:
    """``decode numvar, generate(newstr)``: the value-label text of each value."""
    ds = session.data
    name, target = args.varlist[0], args.opt("generate")
    varlist.new_names(ds, target)
    lbl = ds.vars[name].value_label
    if not lbl or lbl not in ds.value_labels:
        raise StataError(182, f"{name} not labeled")
    mapping = ds.value_labels[lbl]
    values = ds.numeric(name)
    touse = args.touse(session)
    text = np.array([mapping.get(missing.label_key(float(v)), "") if t else "" for v, t in
                     zip(values, touse, strict=True)], dtype=np.object_)
    ds.add(target, text, storage_types.string_type_for(text), after=name, label=ds.vars[name].label)


@command("destring", syntax="[varlist] [, Generate(string) replace ignore(string) "
         "force float percent dpcomma]")
def destring(session: Session, args: Args) -> None:
    """``destring varlist, {generate()|replace} [ignore() force float percent]``."""
    ds = session.data
    if not args.opt("replace") and not args.opt("generate"):
        raise StataError(198, "must specify either generate or replace option")
    targets = _targets(session, args, args.varlist)
    ignore = args.opt("ignore") or ""
    for name, target in zip(args.varlist, targets, strict=True):
        if not ds.vars[name].is_string:
            action = "replace" if target == name else "generate"
            session.log.out(f"{name} already numeric; no {action}")
            continue
        text = pd.Series(ds.strings(name))
        cleaned = text.map(lambda s: "".join(c for c in s if c not in ignore).strip())
        if args.opt("percent"):
            cleaned = cleaned.str.rstrip("%")
        if args.opt("dpcomma"):
            cleaned = cleaned.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        numbers = pd.to_numeric(cleaned.where(cleaned != "", None), errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan)
        bad = np.isnan(numbers) & (cleaned != "").to_numpy() & ~cleaned.isin(
            ["."] + [f".{c}" for c in "abcdefghijklmnopqrstuvwxyz"]).to_numpy()
        if args.opt("percent"):
            numbers = numbers / 100
        if bad.any() and not args.opt("force"):
            session.log.out(f"{name}: contains nonnumeric characters; no "
                            f"{'replace' if target == name else 'generate'}")
            continue
        stype = "float" if args.opt("float") and not storage_types.fits(numbers, "long") else \
            storage_types.compact_type(numbers)
        if stype == "float" and not args.opt("float"):
            stype = "double"
        if target == name:
            var = ds.vars[name]
            ds.set(name, numbers, stype)
            var.format = storage_types.default_format(stype)
            session.log.out(f"{name}: all characters numeric; replaced as {stype}" if not
                            bad.any() else f"{name}: contains nonnumeric characters; replaced "
                            f"as {stype}")
        else:
            ds.add(target, numbers, stype, after=name, label=ds.vars[name].label)
            session.log.out(f"{name}: all characters numeric; {target} generated as {stype}")


@command("tostring", syntax="varlist [, Generate(string) replace Format(string) force "
         "USEDisplayformat]")
def tostring(session: Session, args: Args) -> None:
    """``tostring varlist, {generate()|replace} [format() force]``."""
    ds = session.data
    if not args.opt("replace") and not args.opt("generate"):
        raise StataError(198, "must specify either generate or replace option")
    targets = _targets(session, args, args.varlist)
    for name, target in zip(args.varlist, targets, strict=True):
        var = ds.vars[name]
        if var.is_string:
            action = "replace" if target == name else "generate"
            session.log.out(f"{name} already string; no {action}")
            continue
        fmt = args.opt("format") or (var.format if args.opt("usedisplayformat") else "%12.0g")
        values = ds.numeric(name)
        text = np.array([formats.format_number(float(v), fmt).strip() if not np.isnan(v) else
                         "" for v in values], dtype=np.object_)
        back = np.array([float(t) if t else np.nan for t in (s.replace(",", "") for s in text)])
        lossy = ~((back == values) | (np.isnan(back) & np.isnan(values)))
        if lossy.any() and not args.opt("force"):
            session.log.out(f"{name} cannot be converted reversibly; no "
                            f"{'replace' if target == name else 'generate'}")
            continue
        stype = storage_types.string_type_for(text)
        if target == name:
            old = var.stype
            ds.set(name, text, stype)
            var.format = storage_types.default_format(stype)
            var.value_label = ""
            session.log.out(f"{name} was {old} now {stype}")
        else:
            ds.add(target, text, stype, after=name, label=var.label)
            session.log.out(f"{target} generated as {stype}")
