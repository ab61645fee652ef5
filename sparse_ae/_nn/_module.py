"""The autoencoder network: an encoder to a (possibly sparse) code, a mirrored decoder.

The module knows nothing about training: no loss, no optimizer, no data handling.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

ACTIVATIONS = {
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "gelu": nn.GELU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "identity": nn.Identity,
}

# Activations whose output is not centred on zero are initialised with Glorot's
# scheme; the rectifier family with He's, which keeps the forward variance of a
# ReLU network constant with depth.
_HE_INIT = {"relu", "leaky_relu", "gelu"}


@dataclass(frozen=True)
class AutoencoderConfig:
    """Shape and activations of an :class:`AutoencoderModule`.

    ``code_activation`` is one of ``"sigmoid"`` (KL sparsity needs codes in
    (0, 1)), ``"relu"``, ``"topk"`` (keep the ``k`` largest pre-activations of each
    sample, zero the rest) or ``"identity"``.
    """

    n_features: int
    n_components: int
    hidden_layer_sizes: tuple[int, ...] = ()
    activation: str = "relu"
    code_activation: str = "sigmoid"
    output_activation: str = "sigmoid"
    k: int | None = None
    tied_weights: bool = False


class TopK(nn.Module):
    """Keep the ``k`` largest entries of each row, set the others to zero.

    Exactly ``k`` entries per row survive (ties are broken by position), which is
    what makes the code k-sparse by construction rather than by penalty.
    """

    def __init__(self, k: int, n_units: int) -> None:
        super().__init__()
        self.k = k
        self.n_units = n_units

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        values, indices = torch.topk(h, self.k, dim=1, sorted=False)
        return torch.zeros_like(h).scatter_(1, indices, values)


# A multiple of every step of ATen's vectorised CPU loops, in values (a step is
# two vectors: 32 floats with AVX-512). A tensor of a multiple of this many
# values leaves nothing to the scalar code that finishes a loop.
VECTOR_STEP = 256


class _PositionFreeInEval(nn.Module):
    """Evaluate an element-wise activation, in eval mode on the CPU, so that each
    value's result does not depend on where it sits in the tensor.

    ATen evaluates element-wise functions on the CPU with vector instructions
    and finishes the last few values of each contiguous run (each thread's
    share of the tensor) with scalar code, whose ``exp`` can round the last bit
    differently (measured for the sigmoid). A sample's code would then depend
    on its position in the batch, and ``transform`` would not be invariant to
    the order and grouping of the rows, as scikit-learn's checks require
    (linear layers are row-invariant already). So the flattened tensor is
    processed in pieces that leave no value to the scalar code. ATen splits an
    element-wise loop of ``n`` values over its threads
    (``torch.get_num_threads()``, but no more than ``n / _GRAIN``, its grain
    size) in equal shares of ``ceil(n / threads used)``; a piece whose shares
    are whole numbers of ``VECTOR_STEP`` values, a multiple of every step of ATen's
    vectorised loops, is evaluated by vector code alone. At most two such
    pieces cover all but the last few values, which go through a zero-padded
    buffer.

    This replaced evaluating the activation in float64 and rounding, which cost
    7 % of ``transform`` and 41 % of ``inverse_transform`` on MNIST-sized data
    (``benchmarks/bench_speed.py --sections transform``). Training, and
    inference on other devices, whose element-wise kernels apply the same code
    to every value, run the activation as is.
    """

    _GRAIN = 1 << 15  # at::internal::GRAIN_SIZE

    def __init__(self, activation: nn.Module) -> None:
        super().__init__()
        self.activation = activation
        # Functional forms that write into a given output, saving a copy.
        self._into = {nn.Sigmoid: torch.sigmoid, nn.Tanh: torch.tanh}.get(
            type(activation)
        )

    def _evaluate(self, h: torch.Tensor, out: torch.Tensor) -> None:
        if self._into is None:
            out.copy_(self.activation(h))
        else:
            self._into(h, out=out)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        if self.training or h.device.type != "cpu":
            return self.activation(h)
        flat = h.reshape(-1)
        out = torch.empty_like(flat)
        start, n = 0, len(flat)
        while n - start >= VECTOR_STEP:
            piece = slice(start, start + self._vector_only_size(n - start))
            self._evaluate(flat[piece], out[piece])
            start = piece.stop
        if start < n:
            padded = flat.new_zeros(VECTOR_STEP)
            padded[: n - start] = flat[start:]
            self._evaluate(padded, padded)
            out[start:] = padded[: n - start]
        return out.view(h.shape)

    def _vector_only_size(self, n: int) -> int:
        """The most values, up to ``n``, that ATen's element-wise loop gives its
        threads in whole steps of ``VECTOR_STEP`` values (``n >= VECTOR_STEP``)."""
        team = torch.get_num_threads()
        if team == 1 or n <= self._GRAIN:  # one thread, one loop
            return n - n % VECTOR_STEP
        for threads in range(min(team, -(-n // self._GRAIN)), 1, -1):
            size = n - n % (VECTOR_STEP * threads)
            if min(team, -(-size // self._GRAIN)) == threads:
                return size
        return self._GRAIN


# Activations whose result is exact (no rounding), hence position-free as is.
_EXACT = {"relu", "leaky_relu", "identity", "topk"}


def _make_activation(
    name: str, k: int | None = None, n_units: int | None = None
) -> nn.Module:
    if name == "topk":
        return TopK(k, n_units)
    activation = ACTIVATIONS[name]()
    return activation if name in _EXACT else _PositionFreeInEval(activation)


class _TiedLinear(nn.Module):
    """A decoder layer whose weight is the transpose of an encoder layer's.

    The weight is the *same* parameter, not a copy, so the two layers train as one;
    only the bias is the decoder's own.
    """

    def __init__(self, tied_to: nn.Linear) -> None:
        super().__init__()
        self.tied_to = [tied_to]  # a list hides it from nn.Module's registration
        self.bias = nn.Parameter(torch.zeros(tied_to.in_features))

    @property
    def weight(self) -> torch.Tensor:
        return self.tied_to[0].weight.t()

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return F.linear(z, self.tied_to[0].weight.t(), self.bias)


class AutoencoderModule(nn.Module):
    """Encoder ``n_features -> *hidden_layer_sizes -> n_components`` and a decoder
    that mirrors it back to ``n_features``.

    ``forward`` returns ``(reconstruction, code)`` so that a loss can penalise the
    code; :meth:`encode` and :meth:`decode` serve ``transform`` and
    ``inverse_transform``.
    """

    def __init__(self, config: AutoencoderConfig) -> None:
        super().__init__()
        self.config = config
        widths = (config.n_features, *config.hidden_layer_sizes, config.n_components)
        n_layers = len(widths) - 1

        encoder: list[nn.Module] = []
        self.encoder_linears = nn.ModuleList()
        for i, (n_in, n_out) in enumerate(itertools.pairwise(widths)):
            linear = nn.Linear(n_in, n_out)
            self.encoder_linears.append(linear)
            is_code = i == n_layers - 1
            encoder += [
                linear,
                _make_activation(
                    config.code_activation if is_code else config.activation,
                    config.k,
                    n_out,
                ),
            ]
        self.encoder = nn.Sequential(*encoder)

        decoder: list[nn.Module] = []
        rev = widths[::-1]
        for i, (n_in, n_out) in enumerate(itertools.pairwise(rev)):
            if config.tied_weights:
                linear = _TiedLinear(self.encoder_linears[n_layers - 1 - i])
            else:
                linear = nn.Linear(n_in, n_out)
            is_output = i == n_layers - 1
            decoder += [
                linear,
                _make_activation(
                    config.output_activation if is_output else config.activation
                ),
            ]
        self.decoder = nn.Sequential(*decoder)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        code = self.encoder(x)
        return self.decoder(code), code

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)

    def decode(self, code: torch.Tensor) -> torch.Tensor:
        return self.decoder(code)

    def decode_linear(self, code: torch.Tensor) -> torch.Tensor:
        """Decode up to, but not through, the output activation."""
        return self.decoder[:-1](code)

    def weight_matrices(self) -> list[torch.Tensor]:
        """Every weight matrix once (tied decoder weights are not counted again)."""
        # The two Sequentials' own layers, not self.modules(): this runs every
        # batch, and a recursive walk of the module tree costs more than the
        # loss it feeds on small networks.
        layers = itertools.chain(self.encoder, self.decoder)
        return [m.weight for m in layers if isinstance(m, nn.Linear)]

    @torch.no_grad()
    def reset_parameters(
        self,
        generator: torch.Generator,
        output_mean: torch.Tensor | None = None,
        code_bias: float = 0.0,
    ) -> None:
        """Initialise every weight, from ``generator`` alone.

        Weights follow He's scheme after rectifiers and Glorot's otherwise.
        Biases start at zero, with two exceptions. The output bias starts at the
        data mean ``output_mean`` (passed through the inverse of the output
        activation), so that the untrained network already predicts the mean
        sample and training spends its first steps on structure, not on offset.
        The code layer's bias starts at ``code_bias``: for sigmoid codes under a
        KL penalty, ``logit(rho)`` starts every unit at its target mean
        activation instead of at 0.5, where the penalty would first flatten all
        units before any of them learns a feature.
        """
        cfg = self.config
        linears = [m for m in self.modules() if isinstance(m, nn.Linear)]
        # The activation that follows each nn.Linear, in module order: encoder
        # layers then decoder layers; tied decoder layers are not nn.Linear and
        # reuse encoder weights, hence the non-strict zip.
        n_enc = len(self.encoder_linears)
        after = [cfg.activation] * (n_enc - 1) + [cfg.code_activation]
        after += [cfg.activation] * (n_enc - 1) + [cfg.output_activation]
        for linear, act in zip(linears, after, strict=False):
            fan_in, fan_out = linear.in_features, linear.out_features
            if act in _HE_INIT:
                bound = math.sqrt(6.0 / fan_in)
            else:
                bound = math.sqrt(6.0 / (fan_in + fan_out))
            linear.weight.uniform_(-bound, bound, generator=generator)
        for module in self.modules():
            bias = getattr(module, "bias", None)
            if isinstance(bias, nn.Parameter):
                bias.zero_()
        self.encoder_linears[-1].bias.fill_(code_bias)
        if output_mean is not None:
            output_bias = self.decoder[-2].bias
            if cfg.output_activation == "sigmoid":
                p = output_mean.clamp(1e-4, 1 - 1e-4)
                output_bias.copy_(torch.log(p) - torch.log1p(-p))
            else:
                output_bias.copy_(output_mean)
