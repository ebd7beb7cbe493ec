"""Measurement units after a number: which words are one, its canonical name and its dimension.

A thin layer over pint's registry (it knows unit names, plurals, SI prefixes, symbols and
dimensions); ``data/units.yaml`` adds what news writing needs beyond it: symbols pint reads
otherwise ("mb" is a millibarn to pint, a megabyte in a phone review), phrases ("miles an hour"),
temperature scales after "degrees", misspellings, and the English words pint also knows as
units ("a", "at", "point"). ``read_unit`` is a pure function of the words after a number; the
figure extractor calls it and knows nothing of pint.

A unit's canonical name is pint's, written as words: underscores as spaces, "/" as "per",
powers of length as "square" and "cubic" ("degree Celsius", "kilometer per hour",
"square meter", "barrel per day"), one name per unit whatever the spelling in the text.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import yaml

MAX_WORDS = 3  # the longest unit phrase looked for ("miles an hour", "degrees Celsius")


class Unit(NamedTuple):
    """A measurement unit read after a number."""

    name: str  # canonical ("kilometer per hour")
    dimension: str | None  # SPEC.md's dimension ("speed"); None for a bare "degrees"
    words: int  # how many tokens of the text it took


@dataclass(frozen=True)
class UnitLexicon:
    """What ``data/units.yaml`` says, with pint's registry behind it."""

    dimensions: dict[str, str]
    data_units: tuple[str, ...]
    symbols: dict[str, str]
    glued_only: frozenset[str]
    phrases: dict[str, str]
    degree_words: frozenset[str]
    temperature_scales: dict[str, str]
    not_units: frozenset[str]
    iso_durations: dict[str, tuple[str, str]]
    time_units: dict[str, str]
    age_units: frozenset[str]
    duration_not_after: frozenset[str]
    duration_not_before: frozenset[str]
    period_nouns: frozenset[str]
    age_after: tuple[tuple[str, ...], ...]
    age_before: frozenset[str]
    pound_words: frozenset[str]
    money_cues: frozenset[str]
    per_words: frozenset[str]
    signs: dict[str, str]
    temperature_symbols: frozenset[str]
    temperature_cues: frozenset[str]
    designation_units: frozenset[str]


@functools.cache
def load_lexicon(path: str | None = None) -> UnitLexicon:
    text = (Path(path).read_text(encoding="utf-8") if path else
            (resources.files("pipeline") / "data" / "units.yaml").read_text(encoding="utf-8"))
    raw: dict[str, Any] = yaml.safe_load(text)
    return UnitLexicon(
        dimensions=dict(raw["dimensions"]), data_units=tuple(raw["data_units"]),
        symbols={str(k): str(v) for k, v in raw["symbols"].items()}, glued_only=frozenset(raw["glued_only"]),
        phrases={str(k).lower(): str(v) for k, v in raw["phrases"].items()},
        degree_words=frozenset(str(w) for w in raw["degree_words"]),
        temperature_scales={str(k).lower(): str(v) for k, v in raw["temperature_scales"].items()},
        not_units=frozenset(str(w).lower() for w in raw["not_units"]),
        iso_durations={str(k): (str(v[0]), str(v[1])) for k, v in raw["iso_durations"].items()},
        time_units={str(k): str(v) for k, v in raw["time_units"].items()}, age_units=frozenset(raw["age_units"]),
        duration_not_after=frozenset(str(w) for w in raw["duration_not_after"]),
        duration_not_before=frozenset(str(w) for w in raw["duration_not_before"]),
        period_nouns=frozenset(str(w) for w in raw["period_nouns"]),
        age_after=tuple(tuple(str(w) for w in words) for words in raw["age_after"]),
        age_before=frozenset(raw["age_before"]), pound_words=frozenset(raw["pound_words"]),
        money_cues=frozenset(str(w).lower() for w in raw["money_cues"]), per_words=frozenset(raw["per_words"]),
        signs={str(k): str(v) for k, v in raw["signs"].items()},
        temperature_symbols=frozenset(raw["temperature_symbols"]),
        temperature_cues=frozenset(str(w).lower() for w in raw["temperature_cues"]),
        designation_units=frozenset(raw["designation_units"]),
    )


@functools.cache
def _registry() -> Any:
    import pint

    return pint.UnitRegistry()


@functools.cache
def _dimension_table(path: str | None) -> list[tuple[Any, str]]:
    ureg = _registry()
    return [(ureg.get_dimensionality(k), v) for k, v in load_lexicon(path).dimensions.items()]


@functools.cache
def describe(pint_name: str, path: str | None = None) -> Unit | None:
    """Canonical name and dimension of a unit pint can parse (``"km/h"``, ``"barrel / day"``),
    or None when pint cannot, or its dimension is none a figure has."""
    import pint

    ureg = _registry()
    try:
        unit = ureg.parse_units(pint_name)
    except (pint.errors.PintError, AttributeError, TypeError, ValueError, AssertionError):
        return None
    dim = unit.dimensionality
    if not dim:  # dimensionless: of those, only bits and bytes (and their multiples) are units
        if not unit._units or not all(name.endswith(load_lexicon(path).data_units) for name in unit._units):
            return None
        return Unit(canonical_name(unit), "data", 0)
    name = next((v for k, v in _dimension_table(path) if k == dim), None)
    if name is None:
        return None
    return Unit(canonical_name(unit), name, 0)


def canonical_name(unit: Any) -> str:
    """pint's name of a unit written as words: "kilometer / hour" -> "kilometer per hour",
    "meter ** 2" -> "square meter", "degree_Celsius" -> "degree Celsius"."""
    parts_up, parts_down = [], []
    for name, power in unit._units.items():
        word = name.replace("_", " ")
        n = abs(power)
        if n == 2:
            word = f"square {word}"
        elif n == 3:
            word = f"cubic {word}"
        elif n != 1:
            word = f"{word} ** {n:g}"
        (parts_up if power > 0 else parts_down).append(word)
    name = " ".join(parts_up) if parts_up else "1"
    return name + "".join(f" per {w}" for w in parts_down)


def read_unit(words: list[str], glued: bool, path: str | None = None, context: set[str] | None = None,
              pos: list[str] | None = None) -> Unit | None:
    """The measurement unit at the start of ``words`` (the tokens right after a number, as
    written), or None. ``glued`` says the first word touches the number ("30C", "75ml").

    Looked for, longest first: a phrase of the lexicon ("miles an hour"), "degrees" with a
    temperature scale ("degrees Fahrenheit", "deg c"), a scale word alone ("celsius"), a symbol
    ("km", "MB", "°C"; those that are also words or letters only when glued, and "C" and "F"
    only in a sentence ``context`` that speaks of temperature: "30C" in a heatwave, never
    "Boeing 777F"), and a word pint
    reads as a unit of a figure's dimension, a noun (``pos``, when given: "has" is no hectares)
    and not one of the English words pint also knows ("at", "point")."""
    lex = load_lexicon(path)
    if not words:
        return None
    lows = [w.lower() for w in words[:MAX_WORDS]]
    for n in range(min(MAX_WORDS, len(lows)), 0, -1):
        phrase = " ".join(lows[:n])
        if phrase in lex.phrases:
            return _found(lex.phrases[phrase], n, path)
    first = words[0]
    if lows[0] in lex.degree_words or first in ("°", "º"):
        if len(lows) > 1 and lows[1] in lex.temperature_scales:
            return _found(lex.temperature_scales[lows[1]], 2, path)
        return Unit("degree", None, 1)  # a scale not said: temperature or angle
    if lows[0] in lex.temperature_scales and len(lows[0]) > 1:
        return _found(lex.temperature_scales[lows[0]], 1, path)
    if len(words) >= 3 and words[1] == "/" and "".join(words[:3]) in lex.symbols:  # "km / h" tokenised apart
        return _found(lex.symbols["".join(words[:3])], 3, path)
    if len(lows) >= 3 and lows[1] in ("per", "/") and lows[0] not in lex.not_units:  # "miles per hour"
        rate = describe(f"{lows[0]} / {lows[2]}", path)
        if rate is not None and (pos is None or pos[0] in ("NOUN", "PROPN", "X")):
            return rate._replace(words=3)
    for n in (2, 1):  # "sq m" written with a space, then one symbol
        if len(words) >= n:
            joined = " ".join(words[:n]) if n == 2 else first
            if joined in lex.symbols and (joined not in lex.glued_only or glued) and \
                    (joined not in lex.temperature_symbols or lex.temperature_cues & (context or set())):
                return _found(lex.symbols[joined], n, path)
    if first.isalpha() and (first.islower() or first.istitle()) and len(first) > 2 and \
            lows[0] not in lex.not_units and (pos is None or pos[0] in ("NOUN", "PROPN", "X")):
        unit = describe(first, path)
        if unit is not None and unit.dimension not in ("time",):
            return unit._replace(words=1)
    return None


def _found(pint_name: str, n: int, path: str | None) -> Unit | None:
    unit = describe(pint_name, path)
    return unit._replace(words=n) if unit is not None else None


def duration_iso(amount: float, unit_name: str, path: str | None = None) -> str | None:
    """ISO 8601 duration of an amount of a time unit: (20, "year") -> "P20Y", (10, "minute")
    -> "PT10M"; None for a unit ISO 8601 has no designator for."""
    designator = load_lexicon(path).iso_durations.get(unit_name)
    if designator is None:
        return None
    prefix, letter = designator
    number = str(int(amount)) if float(amount).is_integer() else f"{amount:g}"
    return f"{prefix}{number}{letter}"


def read_age(words: list[str], before: str | None, path: str | None = None) -> tuple[str, int] | None:
    """An age: the time unit and how many of ``words`` (the tokens after the number) it takes,
    for "29 years old", "3 years of age", "29-year-old" (hyphens are tokens), or "aged 35" and
    "age 87" (``before`` is the word before the number)."""
    lex = load_lexicon(path)
    lows = [w.lower() for w in words[:5]]
    ages = {w: u for w, u in lex.time_units.items() if u in lex.age_units}
    if before is not None and before.lower() in lex.age_before:
        if lows and lows[0] in ages:
            return ages[lows[0]], 1
        return "year", 0
    rest = [w for w in lows if w not in ("-", "–")]
    if rest and rest[0] in ages:
        for after in lex.age_after:
            if tuple(rest[1 : 1 + len(after)]) == after:
                taken, seen = 0, 0  # count the tokens, hyphens included, up to the end of the phrase
                while seen < 1 + len(after) and taken < len(lows):
                    seen += lows[taken] not in ("-", "–")
                    taken += 1
                return ages[rest[0]], taken
    return None


def read_duration(words: list[str], before: str | None, hyphen: bool, path: str | None = None
                  ) -> tuple[str, int] | None:
    """A span of time: the time unit and how many of ``words`` (the tokens after the number,
    after the hyphen of "two-year") it takes, unless the words around make it a date or a period
    (``duration_not_after``, ``duration_not_before``, a ``period_nouns`` noun after "a 10-year")."""
    lex = load_lexicon(path)
    lows = [w.lower() for w in words[:4]]
    if not lows or lows[0] not in lex.time_units:
        return None
    if before is not None and before.lower() in lex.duration_not_before:
        return None
    nxt = lows[1] if len(lows) > 1 else ""
    if nxt in lex.duration_not_after or " ".join(lows[1:3]) in lex.duration_not_after:
        return None
    if hyphen and (nxt in lex.period_nouns or (nxt in ("-", "–") and len(lows) > 2 and lows[2] in lex.period_nouns)):
        return None
    if hyphen and nxt in ("-", "–"):
        return None  # "two-year-old" is an age (``read_age``), "a 10-year-high" a period
    return lex.time_units[lows[0]], 1
