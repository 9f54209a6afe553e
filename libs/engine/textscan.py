"""Quote- and bracket-aware scanning of command text (shared by the parsers)."""

from __future__ import annotations


def top_level(text: str) -> list[bool]:
    """Per character: whether it is outside quotes, parentheses and brackets."""
    flags: list[bool] = []
    depth, quote, i, n = 0, 0, 0, len(text)
    while i < n:
        two = text[i : i + 2]
        if quote >= 0 and two == '`"':
            quote += 1
            flags += [False, False]
            i += 2
            continue
        if quote > 0 and two == "\"'":
            quote -= 1
            flags += [False, False]
            i += 2
            continue
        ch = text[i]
        if quote == 0 and ch == '"':
            quote = -1
            flags.append(False)
        elif quote == -1:
            quote = 0 if ch == '"' else -1
            flags.append(False)
        elif quote > 0:
            flags.append(False)
        elif ch in "([{":
            depth += 1
            flags.append(False)
        elif ch in ")]}":
            depth -= 1
            flags.append(False)
        else:
            flags.append(depth == 0)
        i += 1
    return flags


def find_top(text: str, target: str, start: int = 0) -> int:
    """Index of the first top-level occurrence of character ``target`` at/after ``start``."""
    flags = top_level(text)
    for i in range(start, len(text)):
        if flags[i] and text[i] == target:
            return i
    return -1


def find_word(text: str, word: str) -> int:
    """Index of the first top-level whole word ``word`` (blank or start before and after)."""
    flags = top_level(text)
    n, w = len(text), len(word)
    for i in range(n - w + 1):
        if (flags[i] and text[i : i + w] == word and (i == 0 or text[i - 1].isspace())
                and (i + w == n or text[i + w].isspace() or text[i + w] in '"(')):
            return i
    return -1


def split_top(text: str) -> list[str]:
    """Split on top-level blanks: ``a b(c d) "e f"`` → ``a``, ``b(c d)``, ``"e f"``."""
    flags = top_level(text)
    parts: list[str] = []
    cur: list[str] = []
    for ch, top in zip(text, flags, strict=True):
        if top and ch.isspace():
            if cur:
                parts.append("".join(cur))
                cur = []
        else:
            cur.append(ch)
    if cur:
        parts.append("".join(cur))
    return parts
