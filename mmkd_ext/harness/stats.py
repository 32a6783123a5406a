"""The paired t-test of the benchmark, in plain Python (no SciPy: a classification-only install
of mmkd_ext does not have it).

A method's gain is paired by seed, ``d_s = D_s − S_s``: the distilled and the plain student of a
seed share their initialisation and data order. With ``n`` seeds the statistic
``t = mean(d) / (std(d) / sqrt(n))`` follows Student's t with ``n − 1`` degrees of freedom under
"no effect"; the test is two-sided.
"""
import math
import statistics
from typing import NamedTuple, Sequence

#: Two-sided level of the benchmark's test, fixed before any run.
ALPHA = 0.05


class PairedTest(NamedTuple):
    """Result of :func:`paired_t_test` (``p`` is None with fewer than two pairs or no spread)."""
    n: int
    mean: float
    se: float
    t: float
    p: float

    @property
    def df(self) -> int:
        return self.n - 1


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz's method)."""
    tiny, eps = 1e-300, 3e-16
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        for num in (m * (b - m) * x / ((qam + m2) * (a + m2)),
                    -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < eps:
            break
    return h


def incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function ``I_x(a, b)`` for ``0 <= x <= 1``."""
    if not 0.0 <= x <= 1.0:
        raise ValueError(f'incomplete_beta: x must lie in [0, 1], got {x}')
    if x in (0.0, 1.0):
        return x
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) +
                 b * math.log1p(-x))
    # The continued fraction converges fast only below the mean; use the symmetry above it.
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, 1.0 - x) / b


def t_two_sided_p(t: float, df: int) -> float:
    """``P(|T| >= |t|)`` for Student's t with ``df`` degrees of freedom."""
    if df < 1:
        raise ValueError(f't_two_sided_p: df must be >= 1, got {df}')
    return incomplete_beta(df / 2.0, 0.5, df / (df + t * t))


def t_critical(df: int, alpha: float = ALPHA) -> float:
    """The two-sided critical value ``t_{1 − alpha/2, df}`` (bisection on :func:`t_two_sided_p`)."""
    low, high = 0.0, 1e3
    for _ in range(200):
        mid = (low + high) / 2.0
        if t_two_sided_p(mid, df) > alpha:
            low = mid
        else:
            high = mid
    return (low + high) / 2.0


def paired_t_test(diffs: Sequence[float]) -> PairedTest:
    """Two-sided one-sample t-test of the paired differences ``diffs`` against 0.

    Args:
        diffs (Sequence[float]): ``D_s − S_s`` per seed.

    Returns:
        PairedTest: mean, standard error, t and p (p is ``nan`` for fewer than two pairs; a
        spread of exactly zero gives p = 0 for a non-zero mean and 1 for a zero one).
    """
    n = len(diffs)
    if n == 0:
        raise ValueError('paired_t_test: no pairs')
    mean = statistics.fmean(diffs)
    if n < 2:
        return PairedTest(n, mean, float('nan'), float('nan'), float('nan'))
    se = statistics.stdev(diffs) / math.sqrt(n)
    if se == 0.0:
        return PairedTest(n, mean, 0.0, math.copysign(math.inf, mean) if mean else 0.0,
                          0.0 if mean else 1.0)
    t = mean / se
    return PairedTest(n, mean, se, t, t_two_sided_p(t, n - 1))


#: The stability rule of docs/benchmark.md for a task's plain student over seeds.
MAX_STD = 2.5
MAX_STD_GAP_SHARE = 0.1
MAX_FROM_MEDIAN = 6.0


class Stability(NamedTuple):
    """The plain student's spread over seeds against the rule (see :func:`stability`)."""
    std: float
    from_median: float
    stable: bool


def stability(values: Sequence[float], gap: float) -> Stability:
    """Check the plain student's values over seeds against the benchmark's stability rule.

    Rule: sample std ≤ max(:data:`MAX_STD`, :data:`MAX_STD_GAP_SHARE` × gap), and no value
    farther than :data:`MAX_FROM_MEDIAN` from the median (one mode).

    Args:
        values (Sequence[float]): The plain student's metric, one value per seed (≥ 2).
        gap (float): Teacher minus mean student, in the same points.
    """
    if len(values) < 2:
        raise ValueError('stability: needs at least two seeds')
    std = statistics.stdev(values)
    median = statistics.median(values)
    far = max(abs(v - median) for v in values)
    ok = std <= max(MAX_STD, MAX_STD_GAP_SHARE * abs(gap)) and far <= MAX_FROM_MEDIAN
    return Stability(std, far, ok)
