"""Simultaneous sanctioning (SIM).

Definition, as decided for Détente (``shared/design/DEFINITIONS.md`` §3.1; GMCR+ rule of
Kinsara, Kilgour & Hipel 2015, generalising Fraser & Hipel 1979, 1984): ``s`` is SIM stable
for DM ``i`` iff for every ``s1 ∈ R_i^+(s)`` there is a choice, for each other DM ``j``, of
either staying or taking one unilateral improvement ``t_j ∈ R_j^+(s)`` *from s*, such that
the combined state (``s1``'s options for ``i``, ``t_j``'s options for each mover, ``s``'s for
the rest) is feasible and ``⪯_i s``. If every other DM stays the result is ``s1``, which
is no sanction.

Named option ``sim_movers``:

* ``"all"`` (default): every other DM may take part, whether or not ``s`` is stable for it.
* ``"unstable"``: the classical tableau rule: only the other DMs for which ``s`` is
  SEQ-unstable may move.

Computation: first an exact cut: if even the best sanction over *all* direction-permitted
option values of the other DMs (one SOS pass per DM, improvement or not) cannot bring ``i``
down to ``P_i(s)``, the improvement is unsanctioned. The remaining combinations are
searched exactly for each improvement, stopping for a pair at its first sanction: with a
compiled depth-first branch and bound when numba is installed (``pip install
detente[fast]``; the same bounds, with fewer DMs free, prune partial combinations; on large
conflicts the combination that sanctioned a state's previous improvement is tried first,
which cannot change the answer since any sanction settles the pair), otherwise
by plain enumeration in vectorised numpy blocks over all undecided pairs at once. The
worst case is the product of the opponents' numbers of improvements, which is inherent in
the definition (the focal DM's payoffs over the combined states are arbitrary); in
practice most pairs are decided in the first block.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from detente.stability import backend
from detente.stability._context import POS, SIM_KERNELS, Context
from detente.stability._kernels import chunks, sos_pass

__all__ = ["sim_stable"]

_BLOCK = 1 << 21  # grid cells evaluated per vectorised step
_FIRST_BLOCK = 8  # combinations per pair in the first step (then doubling)
_ARCS_PER_CHUNK = 1 << 20


def sim_stable(
    ctx: Context, i: int, may_move: NDArray[np.bool_] | None = None
) -> NDArray[np.bool_]:
    """Boolean array over states: SIM stable for DM ``i``.

    ``may_move[j, s]`` (optional) says whether DM ``j`` may take part at ``s``.
    """
    model = ctx.model
    m = model.n_states
    codes = model.codes
    pay = model.payoffs[i]
    index = ctx.space.index
    stable = np.ones(m, dtype=bool)
    ui_i = ctx.improvements(i)
    if ui_i.lo.size == 0:
        return stable
    # opponents in order of increasing number of options: small branching first
    others = sorted(ctx.others(i), key=lambda j: (len(ctx.bits[j]), j))
    # bounds[k]: best conceivable sanction when opponents k.. choose freely (exact cut)
    bounds = np.empty((len(others) + 1, ctx.space.feasible.size), dtype=np.int32)
    bounds[len(others)] = ctx.payoff_space(i, POS)
    for k in range(len(others) - 1, -1, -1):
        bounds[k] = bounds[k + 1]
        sos_pass(bounds[k], ctx.bits[others[k]], use_max=False)
    floor = bounds[0]
    kernels = backend.compiled(SIM_KERNELS, m)
    if kernels is not None:
        return _sim_compiled(kernels, ctx, i, others, bounds, may_move)
    fibre = max(1 << bin(model.dm_masks[j]).count("1") for j in range(model.n_dms))
    step = max(1, _ARCS_PER_CHUNK // fibre)
    for a, b in chunks(m, step):
        src, tgt = ui_i.arcs(a, b)
        if src.size == 0:
            continue
        cut = floor[codes[tgt]] > pay[src]
        stable[src[cut]] = False
        keep = stable[src]  # states already known unstable need no further search
        src, tgt = src[keep], tgt[keep]
        if src.size == 0:
            continue
        local = src - a
        radices = []
        offsets = []
        deltas = []
        for j in others:
            s_j, t_j = ctx.improvements(j).arcs(a, b)
            if may_move is not None and s_j.size:
                keep = may_move[j, s_j]
                s_j, t_j = s_j[keep], t_j[keep]
            deg = np.bincount(s_j - a, minlength=b - a).astype(np.int64)
            off = np.concatenate(([0], np.cumsum(deg)[:-1])).astype(np.int64)
            d = codes[t_j] ^ codes[s_j] if s_j.size else np.zeros(1, dtype=np.int64)
            radices.append(deg + 1)
            offsets.append(off)
            deltas.append(d)
        total = np.ones(b - a, dtype=np.int64)
        for r in radices:
            total *= r
        sanctioned = _search_numpy(
            local, codes[tgt], pay[src], total, radices, offsets, deltas, index, pay
        )
        stable[src[~sanctioned]] = False
    return stable


def _sim_compiled(
    kernels: Any,
    ctx: Context,
    i: int,
    others: list[int],
    bounds: NDArray[np.int32],
    may_move: NDArray[np.bool_] | None,
) -> NDArray[np.bool_]:
    """SIM for DM ``i`` with the compiled branch-and-bound kernel."""
    model = ctx.model
    m = model.n_states
    stable = np.ones(m, dtype=bool)
    iptr, ilo, ihi = ctx.improvement_ranges(i)
    todo = np.flatnonzero(iptr[1:] > iptr[:-1])
    if todo.size == 0:
        return stable
    r = len(others)
    may = (
        np.ones((r, m), dtype=bool) if may_move is None else np.ascontiguousarray(may_move[others])
    )
    limits = backend.settings()
    # below sim_parallel_states, serial (12 options: ~0.1 ms per DM; a thread launch costs
    # more, and up to a scheduler slice when another process holds the other core)
    parallel = todo.size >= limits.sim_parallel_states
    head = (todo, model.codes, model.payoffs[i], ctx.improvements(i).perm, iptr, ilo, ihi)
    if m <= limits.sim_table_max_states:
        dptrs, dls = ctx.delta_stack
        kernel = kernels.sim_states if parallel else kernels.sim_states_serial
        ok = kernel(*head, dptrs[np.array(others, dtype=np.int64)], dls, may, bounds)
    elif r == 0:
        # nobody can sanction: stable iff no improvement (bounds[0] = P_i: the cut agrees)
        ok = iptr[todo + 1] == iptr[todo]
    else:
        # the other DMs' own index arrays, as tuples: no stacked copy (memory); the codes
        # in each DM's sorted order, read in sequence rather than through its permutation
        ranges = [ctx.improvement_ranges(j) for j in others]
        ocodes = tuple(ctx.sorted_codes(j) for j in others)
        optr = tuple(rg[0] for rg in ranges)
        olo = tuple(rg[1] for rg in ranges)
        ohi = tuple(rg[2] for rg in ranges)
        rest = (
            model.codes, model.payoffs[i], ctx.sorted_codes(i), iptr, ilo, ihi,
            ocodes, optr, olo, ohi, may, bounds,
        )
        if parallel:
            ok = _chunks_on_threads(
                kernels.sim_states_fill_serial, todo, rest, kernels.n_threads()
            )
        else:
            ok = kernels.sim_states_fill_serial(todo, *rest)
    stable[todo[~ok]] = False
    return stable


def _chunks_on_threads(
    kernel: Any, todo: NDArray[np.int64], rest: tuple[Any, ...], threads: int
) -> Any:
    """``kernel(todo, *rest)`` (one result per state, the states independent), on
    ``threads`` threads over small chunks of ``todo`` taken in turn: a thread that gets less
    of its core (a shared machine) takes fewer chunks, where an even split in advance
    would leave the other thread waiting. The compiled kernel releases the GIL."""
    from concurrent.futures import ThreadPoolExecutor

    threads = max(1, threads)
    size = max(1, min(1 << 16, -(-todo.size // (8 * threads))))
    starts = range(0, todo.size, size)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        parts = list(pool.map(lambda a: kernel(todo[a : a + size], *rest), starts))
    return np.concatenate(parts)


def _search_numpy(
    local: NDArray[np.int64],
    start_code: NDArray[np.int64],
    theta: NDArray[np.int64],
    total: NDArray[np.int64],
    radices: list[NDArray[np.int64]],
    offsets: list[NDArray[np.int64]],
    deltas: list[NDArray[np.int64]],
    index: NDArray[np.int32],
    pay: NDArray[np.int64],
) -> NDArray[np.bool_]:
    """For each pair: does some combination ``k in [1, total)`` sanction it?"""
    n = local.size
    found = np.zeros(n, dtype=bool)
    und = np.arange(n)
    k0 = 1  # combination 0 = everybody stays = the improvement itself
    rounds = 0
    while und.size:
        kp = total[local[und]]
        live = kp > k0
        und, kp = und[live], kp[live]
        if und.size == 0:
            break
        # blocks grow geometrically: most pairs meet a sanction among the first few
        # combinations, so a first block of the full budget would mostly be wasted
        grow = _FIRST_BLOCK << min(rounds, 40)
        rounds += 1
        width = int(max(1, min(_BLOCK // und.size, grow, int(kp.max()) - k0)))
        ks = k0 + np.arange(width, dtype=np.int64)
        valid = ks[None, :] < kp[:, None]
        rem = np.broadcast_to(ks, (und.size, width)).copy()
        combo = np.broadcast_to(start_code[und][:, None], (und.size, width)).copy()
        loc = local[und]
        for r, off, d in zip(radices, offsets, deltas, strict=True):
            rj = r[loc][:, None]
            digit = rem % rj
            rem //= rj
            pos = np.minimum(off[loc][:, None] + digit - 1, d.size - 1)
            combo ^= np.where(digit > 0, d[np.maximum(pos, 0)], 0)
        idx = index[combo]
        ok = valid & (idx >= 0)
        hit = (ok & (pay[np.maximum(idx, 0)] <= theta[und][:, None])).any(axis=1)
        found[und[hit]] = True
        und = und[~hit]
        k0 += width
    return found
