"""AugMix (Hendrycks et al., ICLR 2020), vectorised over a batch in PyTorch.

Each image gets `width` augmentation chains of random depth 1..3; every step applies one
operation drawn uniformly from the AugMix list (autocontrast, equalize, posterize, rotate,
solarize, shear x/y, translate x/y) at a random level in [0.1, severity]. The chains are
mixed with Dirichlet(alpha) weights and the mixture blended with the original image by
m ~ Beta(alpha, alpha). Operations that overlap the CIFAR-100-C corruptions the shift
benchmark measures (contrast, brightness, colour, sharpness, blur, noise, JPEG) are left
out, as in the paper, so the benchmark stays an honest test of robustness.

The Jensen-Shannon consistency loss ties the clean image's prediction to two AugMix views.
All randomness comes from the `torch.Generator` passed in, so a resumed run repeats an
uninterrupted one exactly.
"""
from __future__ import annotations

import math

import torch
from torch.nn import functional as F

OPS = ("autocontrast", "equalize", "posterize", "rotate", "solarize",
       "shear_x", "shear_y", "translate_x", "translate_y")


def _rand(n: int, g: torch.Generator) -> torch.Tensor:
    return torch.rand(n, generator=g)


def _sign(n: int, g: torch.Generator) -> torch.Tensor:
    return torch.where(_rand(n, g) < 0.5, -1.0, 1.0)


def autocontrast(x: torch.Tensor) -> torch.Tensor:
    lo = x.amin((2, 3), keepdim=True)
    hi = x.amax((2, 3), keepdim=True)
    span = hi - lo
    out = (x - lo) * 255.0 / span.clamp(min=1e-3)
    return torch.where(span > 0, out, x)


def equalize(x: torch.Tensor) -> torch.Tensor:
    """Per-channel histogram equalisation, PIL's ImageOps.equalize lookup table."""
    n, c, h, w = x.shape
    v = x.round().clamp(0, 255).long().view(n * c, h * w)
    offs = (torch.arange(n * c) * 256)[:, None]
    hist = torch.bincount((v + offs).view(-1), minlength=n * c * 256).view(n * c, 256)
    last_nonzero = 255 - (hist.flip(1) > 0).long().argmax(1, keepdim=True)
    step = (h * w - hist.gather(1, last_nonzero)) // 255  # PIL: (sum - last bin) // 255
    before = hist.cumsum(1) - hist  # pixels below each value
    lut = ((step // 2 + before) // step.clamp(min=1)).clamp(max=255).float()
    out = lut.gather(1, v).view(n, c, h, w)
    return torch.where((step == 0).view(n, c, 1, 1), x, out)


def posterize(x: torch.Tensor, level: torch.Tensor) -> torch.Tensor:
    """Keep 4 - int(level * 4 / 10) bits per channel, as the paper's PIL posterize does."""
    bits = (4 - (level * 4 / 10).long()).clamp(1, 8)
    q = (2.0 ** (8 - bits).float()).view(-1, 1, 1, 1)
    return torch.floor(x / q) * q


def solarize(x: torch.Tensor, level: torch.Tensor) -> torch.Tensor:
    t = (256 - level * 256 / 10).view(-1, 1, 1, 1)
    return torch.where(x >= t, 255 - x, x)


def _affine(x: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def geometric(x: torch.Tensor, op: str, level: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    n = x.shape[0]
    s = _sign(n, g)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = 1
    theta[:, 1, 1] = 1
    if op == "rotate":
        a = s * level * 30 / 10 * math.pi / 180
        theta[:, 0, 0], theta[:, 0, 1] = torch.cos(a), -torch.sin(a)
        theta[:, 1, 0], theta[:, 1, 1] = torch.sin(a), torch.cos(a)
    elif op == "shear_x":
        theta[:, 0, 1] = s * level * 0.3 / 10
    elif op == "shear_y":
        theta[:, 1, 0] = s * level * 0.3 / 10
    elif op == "translate_x":
        theta[:, 0, 2] = s * level * (32 / 3) / 10 * 2 / 32  # pixels -> normalised coords
    elif op == "translate_y":
        theta[:, 1, 2] = s * level * (32 / 3) / 10 * 2 / 32
    return _affine(x, theta)


def apply_op(x: torch.Tensor, op: str, level: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    if op == "autocontrast":
        return autocontrast(x)
    if op == "equalize":
        return equalize(x)
    if op == "posterize":
        return posterize(x, level)
    if op == "solarize":
        return solarize(x, level)
    return geometric(x, op, level, g)


def augmix(x: torch.Tensor, g: torch.Generator, severity: float = 3.0, width: int = 3,
           alpha: float = 1.0) -> torch.Tensor:
    """x: float [N, 3, H, W] in 0..255 -> one AugMix view, same shape and range."""
    n = x.shape[0]
    dirichlet = torch.distributions.Dirichlet(torch.full((width,), alpha))
    beta = torch.distributions.Beta(torch.tensor([alpha]), torch.tensor([alpha]))
    # torch.distributions draws from the global generator: seed it from ours.
    torch.manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=g)))
    w = dirichlet.sample((n,))  # [N, width]
    m = beta.sample((n,)).view(n, 1, 1, 1)
    mix = torch.zeros_like(x)
    for i in range(width):
        chain = x.clone()
        depth = torch.randint(1, 4, (n,), generator=g)
        for step in range(3):
            op_idx = torch.randint(0, len(OPS), (n,), generator=g)
            level = 0.1 + _rand(n, g) * (severity - 0.1)
            for k, op in enumerate(OPS):
                sel = ((op_idx == k) & (depth > step)).nonzero().view(-1)
                if len(sel):
                    chain[sel] = apply_op(chain[sel], op, level[sel], g).clamp(0, 255)
        mix += w[:, i].view(n, 1, 1, 1) * chain
    return (1 - m) * x + m * mix


def jsd(logits_clean: torch.Tensor, logits_a: torch.Tensor, logits_b: torch.Tensor) -> torch.Tensor:
    """Jensen-Shannon divergence among the three predictions (the paper's consistency loss)."""
    p = [F.softmax(z, 1) for z in (logits_clean, logits_a, logits_b)]
    mixture = torch.clamp((p[0] + p[1] + p[2]) / 3, 1e-7, 1).log()
    return sum(F.kl_div(mixture, q, reduction="batchmean") for q in p) / 3
