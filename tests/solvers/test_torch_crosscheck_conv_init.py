"""Cross-checks of solvers.conv, solvers.linear and solvers.init against PyTorch (skipped without torch).

Each test draws its cases from a seeded random.Random, so a failure names a reproducible case. A
case our solver refuses (ValueError) must be one PyTorch refuses too, and the other way round.
"""

from __future__ import annotations

import math
import random

import pytest

from solvers import conv, init, linear

torch = pytest.importorskip("torch")
F = torch.nn.functional
nn = torch.nn

pytestmark = pytest.mark.torch


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Thousands of tiny tensors: thread hand-offs cost more than they save, most of all on a busy machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)

CONV_CASES = 1500
TRANSPOSED_CASES = 1200
POOL_CASES = 1200
CONV_PARAM_CASES = 300
LINEAR_PARAM_CASES = 300
MACS_CASES = 300
FAN_CASES = 600
GAIN_CASES = 200


def _ours(call):
    """The solver's value, or None when it refuses the parameters."""
    try:
        return call().value
    except ValueError:
        return None


def _theirs(call):
    """PyTorch's spatial output shape, or None when it refuses the parameters."""
    try:
        return tuple(call().shape[2:])
    except (RuntimeError, ValueError):
        return None


def _nonempty(call):
    """Like _theirs, but an empty output counts as refused.

    conv_transpose2d returns an empty tensor when the padding eats the whole output (size 0) and
    raises only when it would be negative; the solver refuses both, since a layer that outputs
    nothing is a mistake in a question, not an answer.
    """
    shape = _theirs(call)
    return None if shape is None or 0 in shape else shape


def _check_agreement(cases, ours, theirs):
    """Run every case through both; return how many were valid (the rest must be refused by both)."""
    valid = 0
    for case in cases:
        mine, torch_value = ours(case), theirs(case)
        assert mine == torch_value, f"case {case}: solver {mine}, torch {torch_value}"
        valid += mine is not None
    return valid


def test_conv2d_output_shapes():
    rng = random.Random(20240601)
    cases = [
        {
            "size": (rng.randint(1, 24), rng.randint(1, 24)),
            "kernel": (rng.randint(1, 6), rng.randint(1, 6)),
            "stride": (rng.randint(1, 4), rng.randint(1, 4)),
            "padding": (rng.randint(0, 3), rng.randint(0, 3)),
            "dilation": (rng.randint(1, 3), rng.randint(1, 3)),
        }
        for _ in range(CONV_CASES)
    ]
    valid = _check_agreement(
        cases,
        lambda c: _ours(lambda: conv.output_size(**c)),
        lambda c: _theirs(
            lambda: F.conv2d(
                torch.zeros(1, 1, *c["size"]), torch.zeros(1, 1, *c["kernel"]), stride=c["stride"], padding=c["padding"], dilation=c["dilation"]
            )
        ),
    )
    assert valid > CONV_CASES // 2  # most cases must exercise the formula, not only the refusals


def test_conv2d_square_ints_match_torch():
    rng = random.Random(7)
    for _ in range(300):
        i, k, s, p, d = rng.randint(1, 30), rng.randint(1, 7), rng.randint(1, 5), rng.randint(0, 3), rng.randint(1, 3)
        mine = _ours(lambda c=(i, k, s, p, d): conv.output_size(*c))
        theirs = _theirs(
            lambda i=i, k=k, s=s, p=p, d=d: F.conv2d(torch.zeros(1, 1, i, i), torch.zeros(1, 1, k, k), stride=s, padding=p, dilation=d)
        )
        assert theirs == (None if mine is None else (mine, mine)), (i, k, s, p, d)


def test_conv_transpose2d_output_shapes():
    rng = random.Random(20240602)
    cases = []
    for _ in range(TRANSPOSED_CASES):
        stride, dilation = (rng.randint(1, 4), rng.randint(1, 4)), (rng.randint(1, 3), rng.randint(1, 3))
        # Mostly a legal output_padding (below stride or dilation), sometimes any, to test the refusal too.
        output_padding = tuple(
            rng.randint(0, 3) if rng.random() < 0.25 else rng.randint(0, max(s, d) - 1) for s, d in zip(stride, dilation)
        )
        cases.append(
            {
                "size": (rng.randint(1, 10), rng.randint(1, 10)),
                "kernel": (rng.randint(1, 5), rng.randint(1, 5)),
                "stride": stride,
                "padding": (rng.randint(0, 3), rng.randint(0, 3)),
                "output_padding": output_padding,
                "dilation": dilation,
            }
        )
    valid = _check_agreement(
        cases,
        lambda c: _ours(lambda: conv.transposed_output_size(**c)),
        lambda c: _nonempty(
            lambda: F.conv_transpose2d(
                torch.zeros(1, 1, *c["size"]),
                torch.zeros(1, 1, *c["kernel"]),
                stride=c["stride"],
                padding=c["padding"],
                output_padding=c["output_padding"],
                dilation=c["dilation"],
            )
        ),
    )
    assert valid > TRANSPOSED_CASES // 2


def test_max_pool2d_output_shapes():
    rng = random.Random(20240603)
    cases = []
    for _ in range(POOL_CASES):
        stride = None if rng.random() < 0.4 else (rng.randint(1, 4), rng.randint(1, 4))
        kernel = (rng.randint(1, 6), rng.randint(1, 6))
        # Mostly a legal padding (at most half the kernel), sometimes any, to test the refusal too.
        padding = tuple(rng.randint(0, 3) if rng.random() < 0.25 else rng.randint(0, k // 2) for k in kernel)
        cases.append({"size": (rng.randint(1, 24), rng.randint(1, 24)), "kernel": kernel, "stride": stride, "padding": padding})
    valid = _check_agreement(
        cases,
        lambda c: _ours(lambda: conv.pool_output_size(**c)),
        lambda c: _theirs(
            lambda: F.max_pool2d(torch.zeros(1, 1, *c["size"]), c["kernel"], stride=c["stride"], padding=c["padding"])
        ),
    )
    assert valid > POOL_CASES // 2


def test_conv2d_and_linear_parameter_counts():
    rng = random.Random(20240604)
    for _ in range(CONV_PARAM_CASES):
        groups = rng.randint(1, 4)
        c_in, c_out = groups * rng.randint(1, 6), groups * rng.randint(1, 6)
        kernel = (rng.randint(1, 5), rng.randint(1, 5))
        bias = rng.random() < 0.5
        layer = nn.Conv2d(c_in, c_out, kernel, bias=bias, groups=groups)
        expected = sum(p.numel() for p in layer.parameters())
        assert conv.param_count(c_in, c_out, kernel, bias=bias, groups=groups).value == expected
    for _ in range(LINEAR_PARAM_CASES):
        n_in, n_out, bias = rng.randint(1, 200), rng.randint(1, 200), rng.random() < 0.5
        expected = sum(p.numel() for p in nn.Linear(n_in, n_out, bias=bias).parameters())
        assert linear.param_count(n_in, n_out, bias).value == expected


def test_linear_forward_matches_nn_linear():
    rng = random.Random(20240605)
    gen = torch.Generator().manual_seed(5)
    for _ in range(100):
        n_in, n_out = rng.randint(1, 6), rng.randint(1, 6)
        w = torch.randn(n_out, n_in, generator=gen, dtype=torch.float64)
        b = torch.randn(n_out, generator=gen, dtype=torch.float64)
        x = torch.randn(n_in, generator=gen, dtype=torch.float64)
        mine = linear.forward(w.tolist(), x.tolist(), b.tolist()).value
        assert mine.tolist() == pytest.approx(F.linear(x, w, b).tolist(), rel=1e-12, abs=1e-12)


def test_macs_match_torch_flop_counter():
    from torch.utils.flop_counter import FlopCounterMode

    rng = random.Random(20240606)
    checked = 0
    for _ in range(MACS_CASES):
        groups = rng.randint(1, 3)
        c_in, c_out = groups * rng.randint(1, 3), groups * rng.randint(1, 3)
        size, kernel = (rng.randint(1, 12), rng.randint(1, 12)), (rng.randint(1, 4), rng.randint(1, 4))
        stride, padding, dilation = rng.randint(1, 3), rng.randint(0, 2), rng.randint(1, 2)
        args = (size, c_in, c_out, kernel, stride, padding, dilation, groups)
        mine = _ours(lambda args=args: conv.macs(*args))
        if mine is None:
            continue
        with FlopCounterMode(display=False) as counter:
            F.conv2d(
                torch.zeros(1, c_in, *size),
                torch.zeros(c_out, c_in // groups, *kernel),
                stride=stride,
                padding=padding,
                dilation=dilation,
                groups=groups,
            )
        assert 2 * mine == counter.get_total_flops()  # torch counts 2 FLOPs per multiply-accumulate
        checked += 1
    assert checked > MACS_CASES // 2


def test_fans_match_torch():
    rng = random.Random(20240607)
    for _ in range(FAN_CASES):
        shape = tuple(rng.randint(1, 9) for _ in range(rng.randint(2, 5)))
        expected = nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
        assert init.fans(shape).value == expected, shape
    for shape in [(), (5,)]:
        with pytest.raises(ValueError):
            nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
        with pytest.raises(ValueError):
            init.fans(shape)


def test_gains_match_calculate_gain():
    rng = random.Random(20240608)
    assert init.he_std(1).value == pytest.approx(nn.init.calculate_gain("relu"), rel=1e-12)
    assert init.he_std(1, 0.01).value == pytest.approx(nn.init.calculate_gain("leaky_relu"), rel=1e-12)
    assert init.default_uniform_bound(1).value == pytest.approx(
        nn.init.calculate_gain("leaky_relu", math.sqrt(5)) * math.sqrt(3), rel=1e-12
    )
    tanh = nn.init.calculate_gain("tanh")
    assert tanh == pytest.approx(5 / 3)
    for _ in range(GAIN_CASES):
        a = rng.uniform(0, 3)
        fan_in, fan_out = rng.randint(1, 5000), rng.randint(1, 5000)
        gain = nn.init.calculate_gain("leaky_relu", a)
        assert init.he_std(fan_in, a).value == pytest.approx(gain / math.sqrt(fan_in), rel=1e-12)
        assert init.he_uniform_bound(fan_in, a).value == pytest.approx(gain * math.sqrt(3 / fan_in), rel=1e-12)
        assert init.xavier_std(fan_in, fan_out, tanh).value == pytest.approx(tanh * math.sqrt(2 / (fan_in + fan_out)), rel=1e-12)


# Large tensors (~10⁶ samples): the sample std is within ~0.1 % of the true one; 1 % is safe.
STD_TOL = 0.01


@pytest.mark.parametrize(("a", "mode"), [(0.0, "fan_in"), (0.2, "fan_in"), (0.0, "fan_out"), (math.sqrt(5), "fan_in")])
def test_kaiming_on_large_tensors(a, mode):
    gen = torch.Generator().manual_seed(1)
    shape = (250, 64, 3, 3)  # 144 000 weights; fan_in 576, fan_out 2250
    fan_in, fan_out = init.fans(shape).value
    fan = fan_in if mode == "fan_in" else fan_out
    normal = nn.init.kaiming_normal_(torch.empty(shape), a=a, mode=mode, nonlinearity="leaky_relu", generator=gen)
    uniform = nn.init.kaiming_uniform_(torch.empty(shape), a=a, mode=mode, nonlinearity="leaky_relu", generator=gen)
    std, bound = init.he_std(fan, a).value, init.he_uniform_bound(fan, a).value
    assert normal.std().item() == pytest.approx(std, rel=0.02)  # 144 000 samples: ~0.2 % standard error
    assert uniform.std().item() == pytest.approx(std, rel=0.02)
    assert uniform.abs().max().item() <= bound * (1 + 1e-6)
    assert uniform.abs().max().item() >= bound * 0.999


@pytest.mark.parametrize("gain", [1.0, 5 / 3, math.sqrt(2)])
def test_xavier_on_large_tensors(gain):
    gen = torch.Generator().manual_seed(2)
    fan_out, fan_in = 600, 1666  # a Linear(1666, 600) weight: 10⁶ samples
    normal = nn.init.xavier_normal_(torch.empty(fan_out, fan_in), gain=gain, generator=gen)
    uniform = nn.init.xavier_uniform_(torch.empty(fan_out, fan_in), gain=gain, generator=gen)
    std = init.xavier_std(fan_in, fan_out, gain).value
    bound = init.xavier_uniform_bound(fan_in, fan_out, gain).value
    assert normal.std().item() == pytest.approx(std, rel=STD_TOL)
    assert uniform.std().item() == pytest.approx(std, rel=STD_TOL)
    assert uniform.abs().max().item() <= bound * (1 + 1e-6)
    # The seed notes' √(1/fan_in) would be far off here.
    notes = next(m.value for m in init.xavier_std(fan_in, fan_out, gain).misconceptions if m.name == "xavier_fan_in_only")
    assert abs(normal.std().item() - notes) > 0.1 * notes


def test_pytorch_default_init_on_large_layers():
    with torch.random.fork_rng():
        torch.manual_seed(3)  # nn.Linear and nn.Conv2d draw from the global generator; fork_rng restores it
        layer = nn.Linear(1000, 1000)
        conv_layer = nn.Conv2d(64, 256, 3)
    for weight, bias, fan_in in ((layer.weight, layer.bias, 1000), (conv_layer.weight, conv_layer.bias, 64 * 9)):
        bound = init.default_uniform_bound(fan_in).value
        assert init.fans(tuple(weight.shape)).value[0] == fan_in
        assert weight.abs().max().item() <= bound * (1 + 1e-6)
        assert weight.abs().max().item() >= bound * 0.99
        assert weight.std().item() == pytest.approx(1 / math.sqrt(3 * fan_in), rel=STD_TOL)
        assert bias.abs().max().item() <= bound * (1 + 1e-6)


def test_lecun_matches_kaiming_linear():
    """LeCun is Kaiming with the linear gain 1: std 1/√fan_in."""
    gen = torch.Generator().manual_seed(4)
    weight = nn.init.kaiming_normal_(torch.empty(1000, 1000), nonlinearity="linear", generator=gen)
    assert weight.std().item() == pytest.approx(init.lecun_std(1000).value, rel=STD_TOL)


def test_separable_savings_counts_torch_parameters():
    rng = random.Random(31)
    for _ in range(1000):
        c_in, c_out = rng.randint(1, 64), rng.randint(1, 64)
        k = rng.choice([1, 3, 5, 7])
        standard = torch.nn.Conv2d(c_in, c_out, k, bias=False, device="meta")
        depthwise = torch.nn.Conv2d(c_in, c_in, k, groups=c_in, bias=False, device="meta")
        pointwise = torch.nn.Conv2d(c_in, c_out, 1, bias=False, device="meta")
        expected = _numel(standard) / (_numel(depthwise) + _numel(pointwise))
        assert conv.separable_savings(c_in, c_out, k).value == pytest.approx(expected, rel=1e-12), (c_in, c_out, k)


def _numel(module) -> int:
    return sum(p.numel() for p in module.parameters())


CNN_CASES = 1000


def test_small_cnn_trace_matches_torch():
    # the network built from nn modules: parameters counted by torch, the features traced with a real tensor
    rng = random.Random(23)
    valid = 0
    for _ in range(CNN_CASES):
        size, c_in, c1, c2 = rng.randint(4, 40), rng.randint(1, 4), rng.randint(1, 12), rng.randint(1, 12)
        k, p, classes = rng.choice([1, 2, 3, 5, 7]), rng.randint(0, 3), rng.randint(1, 10)
        try:
            ours = conv.cnn_trace(size, c_in, c1, c2, k, p, classes).value
        except ValueError:
            ours = None
        features = torch.nn.Sequential(
            torch.nn.Conv2d(c_in, c1, k, padding=p), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(c1, c2, k, padding=p), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Flatten(),
        )
        try:
            with torch.no_grad():
                width = features(torch.zeros(1, c_in, size, size)).shape[1]
        except RuntimeError:
            width = 0  # a window or a pool that does not fit
        if width == 0:
            assert ours is None, f"case {(size, c_in, c1, c2, k, p, classes)}: solver {ours}, torch refuses"
            continue
        model = torch.nn.Sequential(features, torch.nn.Linear(width, classes))
        theirs = (width, sum(t.numel() for t in model.parameters()))
        assert ours == theirs, f"case {(size, c_in, c1, c2, k, p, classes)}: solver {ours}, torch {theirs}"
        valid += 1
    assert valid > CNN_CASES // 2
