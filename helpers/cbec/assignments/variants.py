"""A personal, reproducible seed from a student's identity.

The same id always gives the same data; two ids give different answers, because each
assignment derives its simulator's seed and parameters from a hash of
``assignment:student_id`` (not Python's per-process salted ``hash``).
"""

from __future__ import annotations

import hashlib



def variant_seed(student_id: str, assignment: str) -> int:
    """A stable 63-bit seed from the student id and assignment name (not Python's salted hash)."""
    digest = hashlib.sha256(f"{assignment}:{student_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def variant_rng(student_id: str, assignment: str):
    """A numpy generator seeded by :func:`variant_seed`, for drawing a student's parameters."""
    import numpy as np

    return np.random.default_rng(variant_seed(student_id, assignment))
