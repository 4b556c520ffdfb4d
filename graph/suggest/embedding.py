"""Static word embeddings for English texts: the WordLlama "l2_supercat" token vectors (256 dimensions) that the
`wordllama` package ships inside its wheel, read directly from its installed files.

The files are read with `safetensors` and `tokenizers` (dependencies of `wordllama`); the `wordllama` module itself
is never imported: its loader would look for the tokenizer in a user cache and fetch it from a model hub when it is
not there, and its import configures the root logger. Nothing here reads a cache, a hub or the network. A text's
vector is the mean of its tokens' vectors (the model is trained for mean pooling) at unit length, centred on the
mean of the reference documents' unit vectors and normalised again. Without the package (or its files),
`load_embedder()` returns None and the suggester is the lexical method alone.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

WEIGHTS = ("weights", "l2_supercat_256.safetensors")
TOKENIZER = ("tokenizers", "l2_supercat_tokenizer_config.json")


def _files() -> tuple[Path, Path] | None:
    """The installed weights and tokenizer files, found without importing `wordllama`, or None."""
    try:
        spec = importlib.util.find_spec("wordllama")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        weights, tokenizer = Path(location).joinpath(*WEIGHTS), Path(location).joinpath(*TOKENIZER)
        if weights.is_file() and tokenizer.is_file():
            return weights, tokenizer
    return None


def available() -> bool:
    """Whether the embedding can be loaded: the model files and the two readers are installed (nothing loaded)."""
    return (
        _files() is not None
        and importlib.util.find_spec("safetensors") is not None
        and importlib.util.find_spec("tokenizers") is not None
    )


class Embedder:
    """Token vectors and their tokenizer; `vectors` embeds texts (read only once loaded)."""

    def __init__(self, weights: Path, tokenizer: Path) -> None:
        from safetensors import safe_open
        from tokenizers import Tokenizer

        with safe_open(str(weights), framework="np") as f:
            matrix = f.get_tensor("embedding.weight")
        # kept as stored (16-bit floats: 16 MB rather than 32); a text's rows are widened exactly before the mean
        self.matrix: NDArray[Any] = np.ascontiguousarray(matrix)
        self.tokenizer: Any = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()

    def mean_vectors(self, texts: list[str]) -> NDArray[np.float32]:
        """Each text's mean token vector (zero for a text without tokens), before centring."""
        out = np.zeros((len(texts), self.matrix.shape[1]), dtype=np.float32)
        for i, text in enumerate(texts):
            ids = np.asarray(self.tokenizer.encode(text, add_special_tokens=False).ids, dtype=np.int64)
            ids = ids[(ids >= 0) & (ids < self.matrix.shape[0])]
            if len(ids):
                out[i] = self.matrix[ids].astype(np.float32).mean(axis=0)
        return out

    def unit_vectors(self, texts: list[str]) -> NDArray[np.float32]:
        """Each text's mean token vector at unit length (zero for a text without tokens)."""
        return _unit(self.mean_vectors(texts))

    def vectors(self, texts: list[str], center: NDArray[np.float32]) -> NDArray[np.float32]:
        """Each text's vector: its unit mean token vector minus `center` (the mean unit vector of the reference
        documents), again of unit length (zero for a text without tokens)."""
        unit = self.unit_vectors(texts)
        empty = ~unit.any(axis=1)
        centred = unit - center
        centred[empty] = 0.0
        return _unit(centred)


def _unit(rows: NDArray[np.float32]) -> NDArray[np.float32]:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: NDArray[np.float32] = (rows / norms).astype(np.float32)
    return result


_LOCK = threading.Lock()
_LOADED: list[Embedder | None] = []


def load_embedder() -> Embedder | None:
    """The process's embedder from the installed `wordllama` files (loaded once, about 0.3 s), or None when they or
    their readers are missing."""
    with _LOCK:
        if not _LOADED:
            _LOADED.append(_load())
        return _LOADED[0]


def _load() -> Embedder | None:
    files = _files()
    if files is None:
        return None
    try:
        return Embedder(*files)
    except (ImportError, OSError, ValueError, KeyError):
        return None
