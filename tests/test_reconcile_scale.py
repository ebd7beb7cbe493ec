"""Reconciliation in linear time gives what the pair-by-pair comparison gives.

``reconcile._compare`` replaces an O(n^2) loop over every pair of claims in a
fact; these tests generate groups of claims (figures with exact, open and
inverted intervals, NaN and missing amounts; dates with and without bounds)
and check that both comparisons agree on every observation, on ``differ`` and
on ``conflict``.
"""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.reconcile import _compare, _compare_pairwise, _Unusual

AS_OF = st.one_of(st.none(), st.sampled_from([
    {"iso": "2024-03"}, {"iso": "2024-04"}, {"iso": None}, {"iso": ""}, {},
]))
AMOUNT = st.one_of(st.sampled_from([100, 100.2, 101, 120, 200, 0, -5]), st.none(), st.just("many"),
                   st.just(math.nan), st.just(math.inf))
FIGURE = st.fixed_dictionaries({
    "amount": AMOUNT,
    "approx": st.sampled_from([None, "more_than", "up_to", "about"]),
    "min": st.sampled_from([None, 100, 150, 300]),
    "max": st.sampled_from([None, 90, 110, 250]),
    "precision": st.sampled_from([None, 0, 1.0, 10.0]),
})
DAYS = ["2023-12-31", "2024-01-01", "2024-03-01", "2024-03-31", "2024-06-30", "2024-12-31"]
DATE = st.fixed_dictionaries({
    "iso": st.sampled_from(["2024", "2024-03", "2024-03-01", None]),
    "start": st.one_of(st.sampled_from(DAYS), st.none(), st.just("")),
    "end": st.sampled_from(DAYS),
})


def claims_of(values, times, docs):
    return [{"claim_id": f"c{n}", "doc_id": f"d{docs[n % len(docs)]}", "value": v, "as_of": times[n % len(times)],
             "source": {"publisher": "P"}} for n, v in enumerate(values)]


def same(kind, claims, tol=0.005):
    try:
        fast = _compare(kind, claims, tol)
    except _Unusual:
        return  # the pairwise comparison is what runs then
    ref = _compare_pairwise(kind, claims, tol)
    assert fast[1:] == ref[1:]
    assert [(o.to_dict(), o.publishers) for o in fast[0]] == [(o.to_dict(), o.publishers) for o in ref[0]]


@settings(max_examples=400, deadline=None)
@given(st.lists(FIGURE, min_size=1, max_size=12), st.lists(AS_OF, min_size=1, max_size=4),
       st.lists(st.integers(0, 3), min_size=1, max_size=4))
def test_figures_compare_as_pairwise(values, times, docs):
    same("figure", claims_of(values, times, docs))


@settings(max_examples=400, deadline=None)
@given(st.lists(DATE, min_size=1, max_size=12), st.lists(AS_OF, min_size=1, max_size=4),
       st.lists(st.integers(0, 3), min_size=1, max_size=4))
def test_dates_compare_as_pairwise(values, times, docs):
    same("date", claims_of(values, times, docs))


def test_a_large_group_is_fast():
    import time

    values = [{"amount": 1000 + (n % 7), "approx": None, "min": None, "max": None, "precision": 10.0}
              for n in range(20000)]
    claims = claims_of(values, [{"iso": "2024-03"}, None], list(range(50)))
    t0 = time.perf_counter()
    obs, differ, conflict = _compare("figure", claims, 0.005)
    assert time.perf_counter() - t0 < 5
    assert len(obs) == 2 and not differ and not conflict
