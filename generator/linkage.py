"""Average-link clustering over a sparse graph of pair scores, under the author's
constraints (`event:` groups first, `separate:` pairs never together).

Average-link, not single link: a group joins another only when its articles are similar
*on average*, so one article that touches two stories cannot chain them into one event.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple


class Edges(NamedTuple):
    """Scored pairs (i < j), sorted by (i, j), as parallel arrays or lists: at 100,000
    articles half a million, which as a dictionary keyed by pair took 100 MB at the
    merge's memory peak."""

    i: Sequence[int]
    j: Sequence[int]
    score: Sequence[float]

    @classmethod
    def of(cls, scores: Mapping[tuple[int, int], float]) -> Edges:
        ordered = sorted(scores.items())
        return cls([a for (a, _), _ in ordered], [b for (_, b), _ in ordered],
                   [s for _, s in ordered])

    def triples(self) -> zip:
        return zip(*(_listed(column) for column in self), strict=True)


def _listed(column: Sequence) -> list:
    return column.tolist() if hasattr(column, "tolist") else list(column)


@dataclass(frozen=True)
class Groups:
    """When two groups of several reports each may join: their average pair probability
    must reach `threshold`, or, at the ordinary threshold, their pairs must share rare
    full names (similarity.rarity) of at least `names` on average.

    A group of reports that agree with each other is one day's coverage of something.
    Two such groups on one running story (a committee announced, then voted on; a vote
    previewed, then won) read alike but are two timeline entries; reports of one event
    written on two days share its specifics: the victim, the street, the official."""

    threshold: float = 0.0
    names: float = 0.0
    shared: Edges | None = None  # each pair's shared rare names


class _Clusters:
    """Average-link state over a sparse similarity graph.

    Only pairs that were scored have an edge; missing pairs count as similarity 0, so a
    big group needs evidence from most of its members before it absorbs another one.
    """

    def __init__(self, n: int, forced: list[tuple[int, ...]], apart: set[tuple[int, int]],
                 order_key: Sequence[str], groups: Groups = Groups()):
        self.groups = groups
        self.members: dict[int, list[int]] = {k: [k] for k in range(n)}
        self.cluster_of = list(range(n))
        for group in forced:
            head = group[0]
            for k in group[1:]:
                self.members[head].append(k)
                del self.members[k]
                self.cluster_of[k] = head
        self.banned: dict[int, set[int]] = {}
        for a, b in sorted(apart):
            self.banned.setdefault(self.cluster_of[a], set()).add(b)
            self.banned.setdefault(self.cluster_of[b], set()).add(a)
        self.sums: dict[int, dict[int, float]] = {c: {} for c in self.members}
        self.names: dict[int, dict[int, float]] = {c: {} for c in self.members}
        self.version = dict.fromkeys(self.members, 0)
        self.label = {c: min(order_key[k] for k in m) for c, m in self.members.items()}
        self.heap: list = []

    def add_edges(self, edges: Edges) -> None:
        for sums, values in ((self.sums, edges), (self.names, self.groups.shared)):
            for a, b, score in values.triples() if values is not None else ():
                ca, cb = self.cluster_of[a], self.cluster_of[b]
                if ca != cb:
                    sums[ca][cb] = sums[ca].get(cb, 0.0) + score
                    sums[cb][ca] = sums[cb].get(ca, 0.0) + score

    def push(self, a: int, b: int, threshold: float) -> None:
        sizes = len(self.members[a]), len(self.members[b])
        average = self.sums[a][b] / (sizes[0] * sizes[1])
        if min(sizes) > 1 and self.names[a].get(b, 0.0) / (sizes[0] * sizes[1]) < self.groups.names:
            threshold = max(threshold, self.groups.threshold)  # two groups, no shared names
        if average >= threshold:
            # Rounded and tie-broken by file path so input order never changes the result.
            labels = sorted((self.label[a], self.label[b]))
            entry = (-round(average, 9), labels, a, b, self.version[a], self.version[b])
            heapq.heappush(self.heap, entry)

    def allowed(self, a: int, b: int) -> bool:
        banned = self.banned.get(a)
        return not banned or banned.isdisjoint(self.members[b])

    def merge(self, a: int, b: int) -> int:
        """Merge the smaller neighbourhood into the larger; return the surviving id."""
        if len(self.sums[a]) < len(self.sums[b]):
            a, b = b, a
        self.members[a].extend(self.members.pop(b))
        for k in self.members[a]:
            self.cluster_of[k] = a
        self.banned.setdefault(a, set()).update(self.banned.pop(b, set()))
        for sums in (self.sums, self.names):
            sums[a].pop(b, None)
            for other, score in sums.pop(b).items():
                if other == a:
                    continue
                sums[a][other] = sums[a].get(other, 0.0) + score
                neighbour = sums[other]
                neighbour[a] = neighbour.get(a, 0.0) + neighbour.pop(b)
        self.label[a] = min(self.label[a], self.label.pop(b))
        self.version[a] += 1
        self.version.pop(b)
        return a

    def run(self, threshold: float) -> list[tuple[int, ...]]:
        for a in sorted(self.sums):
            for b in sorted(self.sums[a]):
                if a < b:
                    self.push(a, b, threshold)
        while self.heap:
            _, _, a, b, va, vb = heapq.heappop(self.heap)
            if self.version.get(a) != va or self.version.get(b) != vb or not self.allowed(a, b):
                continue
            survivor = self.merge(a, b)
            for other in sorted(self.sums[survivor]):
                self.push(survivor, other, threshold)
        return sorted(tuple(sorted(m)) for m in self.members.values())


def average_link(
    n: int, forced, apart, edges: Edges, threshold: float, order_key, groups: Groups = Groups(),
) -> list[tuple[int, ...]]:
    """Cluster articles: forced groups first, then merges by best average similarity.
    Sums are added in the edges' (i, j) order, so the same edges always give the same
    groups, to the last bit of every average."""
    clusters = _Clusters(n, forced, apart, order_key, groups)
    clusters.add_edges(edges)
    return clusters.run(threshold)
