"""PNG plots of an analysis report (matplotlib, Agg backend: no display needed)."""
from typing import Dict, List, Sequence

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402


def plot_cka(points: Sequence[str], cka: Dict[str, List[float]], path: str) -> None:
    """Grouped bars: linear CKA to the teacher at every point, one bar per checkpoint.

    Args:
        points (Sequence[str]): Point names (the groups).
        cka (dict): ``{checkpoint label: [cka per point]}``.
        path (str): Output PNG.
    """
    fig, ax = plt.subplots(figsize=(max(4.0, 1.2 * len(points) * max(1, len(cka))), 3.5))
    width = 0.8 / max(1, len(cka))
    for k, (label, values) in enumerate(cka.items()):
        xs = [i + (k - (len(cka) - 1) / 2) * width for i in range(len(points))]
        ax.bar(xs, values, width=width, label=label)
    ax.set_xticks(range(len(points)))
    ax.set_xticklabels(points, rotation=30, ha='right')
    ax.set_ylim(0, 1)
    ax.set_ylabel('linear CKA to the teacher')
    ax.legend(fontsize='small')
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_reliability(bins: Dict[str, dict], path: str) -> None:
    """Reliability diagrams (accuracy vs confidence per bin), one panel per checkpoint.

    Args:
        bins (dict): ``{checkpoint label: ReliabilityBins.to_dict() plus 'ece'}``.
        path (str): Output PNG.
    """
    fig, axes = plt.subplots(1, len(bins), figsize=(3.5 * len(bins), 3.5), squeeze=False)
    for ax, (label, b) in zip(axes[0], bins.items()):
        edges = b['edges']
        width = edges[1] - edges[0]
        centres = [lo + width / 2 for lo in edges[:-1]]
        filled = [c > 0 for c in b['counts']]
        ax.bar([x for x, f in zip(centres, filled) if f],
               [a for a, f in zip(b['accuracy'], filled) if f], width=width, edgecolor='k',
               label='accuracy')
        ax.plot([0, 1], [0, 1], 'k--', linewidth=1, label='calibrated')
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel('confidence')
        ax.set_ylabel('accuracy')
        ax.set_title(f'{label}\nECE {b["ece"]:.3f}', fontsize='small')
        ax.legend(fontsize='x-small', loc='upper left')
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_norm_histograms(norms: Dict[str, Dict[str, List[float]]], path: str) -> None:
    """Histograms of per-sample feature norms, one panel per point.

    Args:
        norms (dict): ``{point: {series label: [norm per sample]}}``, e.g. the teacher and every
            checkpoint's student.
        path (str): Output PNG.
    """
    fig, axes = plt.subplots(1, max(1, len(norms)), figsize=(3.8 * max(1, len(norms)), 3.2),
                             squeeze=False)
    for ax, (point, series) in zip(axes[0], norms.items()):
        for label, values in series.items():
            ax.hist(values, bins=30, alpha=0.5, label=label)
        ax.set_title(point, fontsize='small')
        ax.set_xlabel('‖feature‖ per sample')
        ax.legend(fontsize='x-small')
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
