"""Leaf helpers that import nothing else of mmkd_ext: AMP, digests, errors, optional imports."""
