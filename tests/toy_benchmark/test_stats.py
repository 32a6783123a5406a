"""The benchmark's paired t-test against published Student-t values."""
import math

import pytest

from mmkd_ext.toy_benchmark.stats import incomplete_beta, paired_t_test, t_critical, t_two_sided_p


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
