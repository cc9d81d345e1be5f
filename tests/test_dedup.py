"""MinHash signatures: a batch signed in one pass holds the same values as the textbook MinHash."""

from __future__ import annotations

import hashlib
import random
import re
import zlib

import numpy as np

from tracker import dedup

MERSENNE = (1 << 61) - 1
WORDS = ["data", "Science", "ML", "Émilie", "naïve", "x", "ß", "日本語", "pipeline", "a_b", "42", "-", "!!", "\n"]


def textbook_signature(text: str | None) -> str | None:
    """MinHash as first written: (a * x + b) mod p over each distinct 5-shingle's CRC-32, one text at a time."""
    words = re.findall(r"\w+", (text or "")[: dedup.MAX_TEXT].lower())
    if not words:
        return None
    shingles = {" ".join(words[i : i + 5]) for i in range(max(1, len(words) - 4))}
    hashes = np.array([zlib.crc32(s.encode()) for s in shingles], dtype=np.uint64)
    rng = np.random.default_rng(1_234_567)
    a = rng.integers(1, MERSENNE, size=dedup.NUM_PERM, dtype=np.uint64)
    b = rng.integers(0, MERSENNE, size=dedup.NUM_PERM, dtype=np.uint64)
    products = (hashes[:, None] * (a[None, :] & np.uint64(0xFFFFFFFF)) + b[None, :]) % np.uint64(MERSENNE)
    return str(products.min(axis=0).astype(">u8").tobytes().hex())


def test_a_batch_is_signed_as_the_textbook_minhash_signs_each_text() -> None:
    rng = random.Random(3)
    texts: list[str | None] = [None, "", "  !! ", "one", "two words", "a b c d", "a b c d e", "word " * 5000]
    texts += [" ".join(rng.choice(WORDS) for _ in range(rng.randrange(0, 1500))) for _ in range(150)]
    expected = [textbook_signature(t) for t in texts]
    assert dedup.signatures(texts) == expected
    assert [dedup.signatures([t])[0] for t in texts] == expected


def test_signatures_keep_the_values_stored_by_earlier_versions() -> None:
    text = (
        "We are looking for a machine learning engineer to build ranking models in Python and PyTorch, "
        "deploy them on Kubernetes."
    )
    (signature,) = dedup.signatures([text])
    assert signature is not None and signature.startswith("00f836e29d33e314009018fcd81faf8e069fc333f1583635")
    assert hashlib.sha256(signature.encode()).hexdigest()[:16] == "c676b25b01220494"


def test_the_same_description_is_the_same_job_and_another_is_not() -> None:
    first, reposted, other = dedup.signatures(
        [
            "Build ranking models in Python and PyTorch and deploy them on Kubernetes with the search team.",
            "Build ranking models in Python and PyTorch and deploy them on Kubernetes with the search team!",
            "Design features and run experiments on payments data with Spark and SQL for the fraud team.",
        ]
    )
    assert dedup.same_job(first, reposted)
    assert not dedup.same_job(first, other)
    assert dedup.same_job(first, None)  # a posting without a description cannot be told apart
