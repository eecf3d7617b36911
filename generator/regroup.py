"""The last build's groups kept for the parts of the pair graph an edit left alone.

Average-link clustering (linkage.py) joins two groups only when the average score of
their pairs reaches the threshold, so only along a *strong* edge (a pair scoring at least
that), and everything a join reads (pair scores, shared rare names, `event:` and
`separate:` constraints, the paths that break ties) belongs to the two groups' own
articles. So each connected component of the graph of strong edges and `event:` groups
is clustered on its own, with the weaker edges inside it, and the same component (the
same articles, edges inside it with the same scores and names, the same constraints) is
always cut into the same groups, whatever happens elsewhere. (Every edge, down to a
probability of 0.01, would join most of an archive into one component.) After an edit
most components are as they were: their groups are taken from the last build, and only
the components the edit touched are clustered again (tests/test_rescore.py compares the
groups with clustering from scratch after random edits).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from .rescore import ScoreMemo, mix, path_hashes, sums_by

Signature = tuple[int, int]  # (sum over the articles, sum over the edges and constraints)
# link(keep, forced): the groups of every article, clustering only the edges marked in
# `keep`, under the `event:` groups `forced`.
Link = Callable[[np.ndarray, list[tuple[int, ...]]], list[tuple[int, ...]]]


def groups_with_memo(memo: ScoreMemo, paths: Sequence[str], edges: tuple, names: np.ndarray,
                     forced: list[tuple[int, ...]], apart: set[tuple[int, int]],
                     threshold: float, link: Link) -> list[tuple[int, ...]]:
    """Every group of articles, sorted, as `link` over the whole graph gives them.
    `edges`: (i, j, probability); `names`: each edge's shared rare names; `threshold`:
    the least average score a join needs. Call after `rescore.score_with_memo`: the
    components' groups go into its state."""
    n = len(paths)
    i, j, p = edges
    strong = p >= threshold - ROUNDING
    label = _components(n, i[strong], j[strong], forced)
    inside = label[i] == label[j]
    signatures = _signatures(label, path_hashes(paths),
                             (i[inside], j[inside], p[inside], names[inside]), forced, apart)
    old = getattr(memo.previous, "components", None) or {}
    at = {path: k for k, path in enumerate(paths)}
    dirty = np.zeros(int(label.max()) + 1 if n else 0, dtype=bool)
    found: list[tuple[int, ...]] = []
    for component, signature in signatures.items():
        kept = old.get(signature)
        if kept is None:
            dirty[component] = True
        else:
            found.extend(tuple(at[path] for path in group) for group in kept)
    fresh = link(inside & dirty[label[i]], [group for group in forced if dirty[label[group[0]]]])
    found.extend(group for group in fresh if dirty[label[group[0]]])
    alone = np.ones(n, dtype=bool)
    for group in found:
        alone[list(group)] = False
    found.extend((k,) for k in np.flatnonzero(alone).tolist())
    if memo.current is not None:
        memo.current = replace(memo.current, components=_by_signature(found, label, signatures,
                                                                     paths))
    return sorted(tuple(sorted(group)) for group in found)


# A group pair's average is a sum of scores over a count: rounding can lift it above
# every score it sums by far less than this, so no join is missed by cutting here.
ROUNDING = 1e-6


def _by_signature(groups: list[tuple[int, ...]], label: np.ndarray,
                  signatures: dict[int, Signature], paths: Sequence[str]
                  ) -> dict[Signature, tuple[tuple[str, ...], ...]]:
    """The groups of each component of more than one article, as paths, by signature."""
    found: dict[int, list[tuple[str, ...]]] = {}
    for group in groups:
        component = int(label[group[0]])
        if component in signatures:
            found.setdefault(component, []).append(tuple(paths[k] for k in group))
    return {signatures[c]: tuple(groups) for c, groups in found.items()}


def _components(n: int, i: np.ndarray, j: np.ndarray, forced: list[tuple[int, ...]]
                ) -> np.ndarray:
    """Each article's connected component in the graph of edges and `event:` groups."""
    chain = np.array([(g[k], g[k + 1]) for g in forced for k in range(len(g) - 1)],
                     dtype=np.int64).reshape(-1, 2)
    a, b = np.concatenate([i, chain[:, 0]]), np.concatenate([j, chain[:, 1]])
    graph = sparse.csr_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _signatures(label: np.ndarray, hashes: np.ndarray, edges: tuple,
                forced: list[tuple[int, ...]], apart: set[tuple[int, int]]
                ) -> dict[int, Signature]:
    """Each component of more than one article: a 64-bit sum over its articles' path
    hashes, and one over its edges (both ends, score and shared names) and constraints.
    Equal signatures mean the same articles, edges and constraints, so the same groups.
    A `separate:` pair across two components changes neither: no join is ever offered
    between them."""
    i, j, p, names = edges
    count = int(label.max()) + 1 if len(label) else 0
    articles = sums_by(label, hashes, count)
    with np.errstate(over="ignore"):
        weights = mix(p.astype(np.float64).view(np.uint64)) + \
            mix(names.astype(np.float64).view(np.uint64) ^ np.uint64(0x5DEECE66D))
        links = sums_by(label[i], mix(hashes[i] * np.uint64(3) + mix(hashes[j]) + weights),
                        count)
        for kind, members in [(1, g) for g in forced] + [(2, pair) for pair in sorted(apart)]:
            component = label[members[0]]
            if all(label[k] == component for k in members):
                ordered = hashes[list(members)] * np.uint64(kind * 2 + 1)
                links[component] += mix(np.array([mix(ordered).sum(dtype=np.uint64)]))[0]
    sizes = np.bincount(label, minlength=count)
    return {c: (int(articles[c]), int(links[c])) for c in np.flatnonzero(sizes > 1).tolist()}
