"""The merge model's settings (site.toml's [merge] table), apart from the model itself.

Reading and checking a site's settings, and a rebuild that reuses the last merge, never
load the model's numerical libraries (numpy's sparse matrices take a third of a second
to import): only a merge that runs does.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MergeSettings:
    """Knobs of the merge model; the defaults hold across all evaluation corpora.

    Every field can be set in site.toml under [merge]; docs/merging.md explains each.
    The weights are the coefficients of a logistic model of "same event" over the
    pair features (fitted once on the labelled eval-dev files pooled together, then
    frozen): a pair's score is a probability in [0, 1].
    """

    threshold: float = 0.40  # average pair probability a group needs to join another
    group_threshold: float = 0.90  # the same when both groups hold several reports ...
    group_names: float = 0.07  # ... unless they share rare full names this much on average
    window_days: int = 30  # max event-date distance for two articles to be compared ...
    link_days: int = 60  # ... or this, when they share a rare name or one names the other's day
    title_weight: float = 2.0  # in the body vector, a title word counts as this many
    bias: float = -4.65  # log-odds of a pair with no evidence at all
    word_weight: float = 21.77  # cosine of distinctive words (TF-IDF, title + body)
    name_weight: float = 2.0  # cosine of capitalised names (people, places, bodies)
    title_weight_cosine: float = 3.54  # cosine of the titles alone
    figure_weight: float = 0.28  # log(1 + figures both mention: ages, tolls, counts)
    figure_jaccard_weight: float = 0.5  # share of their figures that agree
    quote_weight: float = 0.3  # log(1 + quoted word trigrams both contain)
    mention_weight: float = 6.0  # a report names the day of the other's event, ...
    mention_days: int = 14  # ... at least this many days before its own
    rare_name_weight: float = 4.0  # full names both give, each 1 / (df - 1)^2, at most 1
    same_day_outlet_weight: float = 0.0  # one outlet within a day (see docs/merging.md)
    same_outlet_weight: float = -0.76  # one outlet at any distance (template words)
    date_weight: float = -2.0  # per log(1 + days) between the event dates (see docs)
    same_day_weight: float = 1.88  # event dates on the same day
    place_conflict_weight: float = -6.0  # headlines name places, none in common
    figure_conflict_weight: float = -6.0  # headlines give figures, none in common
    block_terms: int = 20  # distinctive words and names each article is filed under
    block_cap: int = 50  # neighbours per key considered, to stay near-linear
