"""Input corruption for denoising autoencoders, on tensors, on any device."""

from __future__ import annotations

import torch

NOISE_KINDS = ("gaussian", "masking", "salt_and_pepper")


def corrupt(
    x: torch.Tensor,
    kind: str,
    level: float,
    generator: torch.Generator,
    low: float,
    high: float,
) -> torch.Tensor:
    """Return a corrupted copy of ``x``; ``x`` itself is left untouched.

    - ``"gaussian"``: add noise of standard deviation ``level``, then clip to
      ``[low, high]`` (the range of the data, so that noisy pixels stay pixels).
    - ``"masking"``: set each entry to zero with probability ``level``.
    - ``"salt_and_pepper"``: set each entry, with probability ``level``, to
      ``low`` or ``high`` (each equally likely).

    All randomness comes from ``generator``, which must live on ``x``'s device.
    """
    if kind == "gaussian":
        noise = torch.randn(
            x.shape, generator=generator, device=x.device, dtype=x.dtype
        )
        return (x + level * noise).clamp_(low, high)
    u = torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype)
    if kind == "masking":
        return x.masked_fill(u < level, 0.0)
    if kind == "salt_and_pepper":
        # One uniform draw decides both whether an entry is hit (u < level) and
        # which way (the lower half of that interval is pepper).
        out = x.masked_fill(u < level / 2, low)
        return out.masked_fill_((u >= level / 2) & (u < level), high)
    raise ValueError(f"noise must be one of {NOISE_KINDS}, got {kind!r}.")
