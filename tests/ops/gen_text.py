#!/usr/bin/python3
"""Writes op test cases for the text family (TfIdfVectorizer) for
tests/ops/run_cases.py.

    gen_text.py OUTDIR

Covers modes TF, IDF and TFIDF with and without weights, [C] and [N, C]
inputs of int32 and int64, skips, pools of 1- to 3-grams of which only some
lengths are counted, a pool of hundreds of n-grams, output slots in any order,
shared by several n-grams or left unused, tokens outside the pool and empty
rows. Weights belong to the pool's n-grams (ONNX Runtime 1.30 and the spec;
the ONNX reference implementation indexes them by output slot). ONNX Runtime
requires max_gram_length <= the number of n-gram lengths in the pool, so every
case keeps to that. Fixed seed.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from graph_case import write_node_case  # noqa: E402

rng = np.random.default_rng(20240921)


def random_pool(vocab, per_length):
    """Distinct random n-grams, per_length[k] of length k + 1: (pool, ngram_counts)."""
    pool, counts = [], []
    for k, count in enumerate(per_length):
        counts.append(len(pool))
        seen = set()
        while len(seen) < count:
            gram = tuple(int(v) for v in rng.integers(0, vocab, k + 1))
            if gram not in seen:
                seen.add(gram)
                pool.extend(gram)
    return pool, counts


def case(out, name, x, mode, min_len, max_len, skip, pool, counts, indexes=None, weights=None):
    n = sum((((counts[k + 1] if k + 1 < len(counts) else len(pool)) - counts[k]) // (k + 1))
            for k in range(len(counts)))
    attrs = {"mode": mode, "min_gram_length": min_len, "max_gram_length": max_len,
             "max_skip_count": skip, "ngram_counts": counts, "pool_int64s": pool,
             "ngram_indexes": list(range(n)) if indexes is None else indexes}
    if weights is not None:
        attrs["weights"] = weights
    write_node_case(out, f"tfidf_{name}", "TfIdfVectorizer", [("x", x)], ["y"], attrs, opset=9)


def tokens(shape, vocab, dtype):
    return rng.integers(0, vocab, shape).astype(dtype)


def gen_tfidf(out):
    # The ONNX backend test's pool: unigrams 2 3 5 4, bigrams (5 6) (7 8) (6 7).
    pool, counts = [2, 3, 5, 4, 5, 6, 7, 8, 6, 7], [0, 4]
    x = np.array([1, 1, 3, 3, 3, 7, 8, 6, 7, 5, 6, 8], np.int64)
    case(out, "tf_bigrams_skip0", x, "TF", 2, 2, 0, pool, counts)
    case(out, "tf_uni_bigrams_skip5", x, "TF", 1, 2, 5, pool, counts)
    case(out, "tf_2d_int32_skip3", x.reshape(2, 6).astype(np.int32), "TF", 1, 2, 3, pool, counts)
    weights = [0.5, 2.0, 1.5, 3.0, 0.25, 4.0, 1.0]
    case(out, "idf_weights", x, "IDF", 1, 2, 1, pool, counts, weights=weights)
    case(out, "idf_no_weights_2d", x.reshape(3, 4), "IDF", 1, 2, 2, pool, counts)
    case(out, "tfidf_weights_2d", x.reshape(2, 6), "TFIDF", 1, 2, 5, pool, counts, weights=weights)
    case(out, "tfidf_no_weights", x.astype(np.int32), "TFIDF", 2, 2, 2, pool, counts)
    # Output slots permuted, shared by two n-grams, and some never written.
    case(out, "tf_slots_permuted", x, "TF", 1, 2, 1, pool, counts, indexes=[6, 0, 5, 1, 4, 2, 3])
    case(out, "tf_slots_shared_sparse", x, "TF", 1, 2, 1, pool, counts, indexes=[0, 9, 3, 3, 7, 0, 5])
    case(out, "tfidf_slots_shared", x.reshape(2, 6), "TFIDF", 1, 2, 1, pool, counts,
         indexes=[0, 2, 1, 1, 0, 3, 2], weights=[1.5, 0.5, 2.0, 3.0, 1.0, 1.0, 1.0])

    # Random pools of 1- to 3-grams over a small vocabulary, so that many match.
    pool, counts = random_pool(6, [4, 12, 20])
    n = 36
    w = [float(v) for v in rng.uniform(0.1, 3.0, n)]
    for name, shape, dtype, mode, lo, hi, skip, weights in [
            ("rand_tf_1to3_skip2", (4, 40), np.int64, "TF", 1, 3, 2, None),
            ("rand_tf_2to3_skip0_1d", (60,), np.int32, "TF", 2, 3, 0, None),
            ("rand_tf_3_skip4", (3, 30), np.int32, "TF", 3, 3, 4, None),
            ("rand_idf_1to2_skip1", (5, 25), np.int64, "IDF", 1, 2, 1, w),
            ("rand_tfidf_1to3_skip3", (4, 33), np.int64, "TFIDF", 1, 3, 3, w),
            ("rand_tfidf_2to3_big_skip", (2, 17), np.int32, "TFIDF", 2, 3, 100, w),
            ("rand_tf_short_rows", (6, 2), np.int64, "TF", 1, 3, 1, None)]:
        indexes = [int(v) for v in rng.permutation(n)]
        case(out, name, tokens(shape, 6, dtype), mode, lo, hi, skip, pool, counts, indexes, weights)
    # Slots shared by many n-grams: sums, and in IDF mode the last occurrence's weight.
    for name, mode, weights in [("rand_tf_shared", "TF", None), ("rand_idf_shared", "IDF", w),
                                ("rand_idf_shared_no_weights", "IDF", None),
                                ("rand_tfidf_shared", "TFIDF", w)]:
        indexes = [int(v) for v in rng.integers(0, 9, n)]
        case(out, name, tokens((3, 40), 6, np.int64), mode, 1, 3, 2, pool, counts, indexes, weights)
    # A 1-gram and a 2-gram sharing a slot: IDF keeps the last occurrence's weight.
    case(out, "idf_order", np.array([1, 2, 1, 2, 2, 1], np.int64), "IDF", 1, 2, 1, [1, 1, 2], [0, 1], [0, 0],
         [10.0, 100.0])

    # A large pool: many children per trie node.
    pool, counts = random_pool(300, [200, 400, 300])
    n = 900
    w = [float(v) for v in rng.uniform(0.1, 3.0, n)]
    indexes = [int(v) for v in rng.permutation(n)]
    big = rng.integers(0, 40, (3, 500))  # a small vocabulary inside the pool's, so that n-grams match
    case(out, "big_pool_tf", big.astype(np.int64), "TF", 1, 3, 3, pool, counts, indexes)
    case(out, "big_pool_tfidf_int32", big.astype(np.int32), "TFIDF", 2, 3, 1, pool, counts, indexes, w)

    # Tokens the pool does not hold (negative, large), and a row with none.
    x = np.array([[-5, 2, 3, 10**12, 5, 6], [9, 9, 9, 9, 9, 9]], np.int64)
    case(out, "tf_foreign_tokens", x, "TF", 1, 2, 1, [2, 3, 5, 4, 5, 6, 7, 8, 6, 7], [0, 4])
    case(out, "tf_empty_rows", np.zeros((2, 0), np.int64), "TF", 1, 2, 1, [2, 3, 5, 4, 5, 6, 7, 8, 6, 7],
         [0, 4])


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    gen_tfidf(out)


if __name__ == "__main__":
    main()
