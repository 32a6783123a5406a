"""The benchmark's paired t-test against published Student-t values."""
import math

import pytest

from mmkd_ext.harness.stats import incomplete_beta, paired_t_test, t_critical, t_two_sided_p


@pytest.mark.parametrize('df,critical', [(1, 12.706), (2, 4.303), (4, 2.776), (7, 2.365),
                                         (9, 2.262), (30, 2.042)])
def test_critical_values_match_the_t_table(df, critical):
    assert t_critical(df) == pytest.approx(critical, abs=1e-3)


def test_p_values_and_the_beta_function():
    assert t_two_sided_p(2.0, 5) == pytest.approx(0.10194, abs=1e-5)
    assert t_two_sided_p(0.0, 3) == pytest.approx(1.0)
    # I_x(1, 1) = x and I_x(a, b) = 1 - I_{1-x}(b, a).
    assert incomplete_beta(1.0, 1.0, 0.3) == pytest.approx(0.3)
    assert incomplete_beta(2.5, 0.5, 0.7) == pytest.approx(1 - incomplete_beta(0.5, 2.5, 0.3))
    with pytest.raises(ValueError, match=r'\[0, 1\]'):
        incomplete_beta(1.0, 1.0, 1.5)


def test_paired_test_degrees_of_freedom_and_edge_cases():
    test = paired_t_test([2.0, 2.1, 2.2])
    assert test.df == 2 and test.se == pytest.approx(0.1 / math.sqrt(3))
    assert test.t == pytest.approx(2.1 / (0.1 / math.sqrt(3)))
    # Three seeds that all gain 2 +- 1.7: beyond two standard errors, yet not significant at 5 %
    # with 2 degrees of freedom (the rule this test replaced called it significant).
    lax = paired_t_test([0.3, 2.0, 3.7])
    assert abs(lax.mean) > 2 * lax.se and lax.p > 0.05
    assert math.isnan(paired_t_test([1.0]).p)
    assert paired_t_test([1.0, 1.0]).p == 0.0 and paired_t_test([0.0, 0.0]).p == 1.0
    with pytest.raises(ValueError, match='no pairs'):
        paired_t_test([])


def test_stability_rule_of_the_plain_student():
    from mmkd_ext.harness.stats import stability
    # The 300-iteration FCN student of seeds 0-7: two modes, std 7.3.
    old = stability([47.2, 43.0, 40.8, 61.8, 57.2, 53.5, 55.8, 53.0], gap=81.9 - 51.5)
    assert not old.stable and old.std == pytest.approx(7.26, abs=0.01)
    assert stability([78.2, 74.3, 76.4, 79.2, 78.9, 79.3, 77.0, 78.9], gap=4.0).stable
    # A wide spread passes where it is small against the gap (detectors), not elsewhere.
    spread = [28.8, 25.8, 22.1, 27.0]
    assert stability(spread, gap=54.0).stable and not stability(spread, gap=10.0).stable
    # One seed far from the others is a second mode whatever the std.
    assert not stability([90, 90, 90, 90, 90, 90, 90, 80], gap=100.0).stable
    with pytest.raises(ValueError, match='two seeds'):
        stability([1.0], gap=1.0)
