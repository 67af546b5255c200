from benchmarks.eta import Recorder, eta_errors


def _stage(rates: list[float], total: int = 1000) -> list[tuple[float, int, int]]:
    """Progress updated every second at the given per-second rates (work units)."""
    rows, done, t = [(0.0, 0, total)], 0.0, 0.0
    for rate in rates:
        t += 1.0
        done = min(total, done + rate)
        rows.append((t, int(done), total))
    return rows


def test_a_steady_stage_has_an_exact_eta():
    errors = eta_errors({"embed": _stage([5.0] * 200)})
    assert errors["embed"].max_error < 0.01 and errors["embed"].checks > 100


def test_a_stage_that_slows_down_late_has_a_wrong_eta():
    # Quick for two minutes, then five times slower: the ETA read at the two-minute mark is far too early.
    errors = eta_errors({"embed": _stage([6.0] * 120 + [1.2] * 250)})
    assert errors["embed"].max_error > 0.2


def test_short_stages_are_not_judged_and_the_recorder_keeps_calls():
    rec = Recorder()
    for done in range(5):
        rec("bm25", done, 4)
    assert [d for _, d, _ in rec.samples["bm25"]] == [0, 1, 2, 3, 4]
    assert eta_errors(rec.samples) == {}  # done in well under a minute
