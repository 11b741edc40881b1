"""Lambda's CPU follows its memory: "Lambda allocates CPU power in proportion to the amount of
memory configured. ... At 1,769 MB, a function has the equivalent of one vCPU", up to
10,240 MB (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html)."""

from __future__ import annotations

MB_PER_VCPU = 1769
MAX_MEMORY_MB = 10240


def vcpus(memory_mb: int) -> str:
    """The vCPUs ``memory_mb`` gives, to two decimals (1024 MB: 0.58)."""
    if not 128 <= memory_mb <= MAX_MEMORY_MB:
        raise ValueError(f"Lambda memory is 128 to {MAX_MEMORY_MB} MB, got {memory_mb}")
    return f"{memory_mb / MB_PER_VCPU:.2f}"
