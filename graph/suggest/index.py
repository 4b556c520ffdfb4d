"""A TF-IDF index of word stems over the reference texts, one matrix per language and kind (goals, targets)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .language import LANGUAGES, content_stems

Matrix = NDArray[np.float32]


@dataclass
class StemIndex:
    """Rows of L2-normalised TF-IDF vectors over a shared vocabulary of stems."""

    vocabulary: dict[str, int]
    idf: NDArray[np.float32]
    rows: dict[str, Matrix]  # "<kind>:<lang>" -> matrix, one row per document

    def vector(self, stems: Iterable[str]) -> tuple[NDArray[np.intp], NDArray[np.float32]]:
        """The L2-normalised TF-IDF vector of a bag of stems, sparse: (columns, values); unknown stems are ignored."""
        columns: list[int] = []
        values: list[float] = []
        for stem_, count in Counter(stems).items():
            column = self.vocabulary.get(stem_)
            if column is not None:
                columns.append(column)
                values.append((1.0 + math.log(count)) * float(self.idf[column]))
        vals = np.array(values, dtype=np.float32)
        norm = float(np.linalg.norm(vals))
        return np.array(columns, dtype=np.intp), (vals / norm if norm else vals)

    def cosines(self, name: str, vector: tuple[NDArray[np.intp], NDArray[np.float32]]) -> NDArray[np.float32]:
        """Cosine of a sparse vector with each row of a matrix (the rows are unit length)."""
        columns, values = vector
        result: NDArray[np.float32] = self.rows[name][:, columns] @ values
        return result


def build_index(documents: Mapping[str, Mapping[str, Sequence[str]]]) -> StemIndex:
    """Index documents given as kind -> language -> one text per row (the rows keep their order).

    The inverse document frequency is counted over every row of every kind and language, so a stem that is common
    in the UN texts ("proportion", "national") weighs little everywhere.
    """
    bags: dict[str, list[Counter[str]]] = {
        f"{kind}:{lang}": [Counter(content_stems(text)) for text in by_lang[lang]]
        for kind, by_lang in documents.items()
        for lang in LANGUAGES
    }
    document_frequency: Counter[str] = Counter()
    total = 0
    for rows in bags.values():
        for bag in rows:
            document_frequency.update(bag.keys())
            total += 1
    vocabulary = {stem_: i for i, stem_ in enumerate(sorted(document_frequency))}
    idf = np.array([math.log((1 + total) / (1 + document_frequency[s])) + 1.0 for s in vocabulary], dtype=np.float32)
    index = StemIndex(vocabulary, idf, {})
    for name, rows in bags.items():
        matrix = np.zeros((len(rows), len(vocabulary)), dtype=np.float32)
        for i, bag in enumerate(rows):
            for stem_, count in bag.items():
                column = vocabulary[stem_]
                matrix[i, column] = (1.0 + math.log(count)) * idf[column]
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        index.rows[name] = np.asfortranarray(matrix / norms)  # column-major: a text picks a few columns
    return index
