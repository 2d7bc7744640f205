"""Ballot cryptography alone (no HTTP, no database): proofs verified per second, encryption time in
Python and in Node (the browser module), and the tally of a roll-sized election.

    .venv/bin/python bench/ballot_crypto.py                 # 3 options, 100,000 ballots tallied
    .venv/bin/python bench/ballot_crypto.py --options 2 --tally-ballots 20000 --verify-ballots 200

What it measures:
1. Python encryption of `--verify-ballots` ballots with all proofs (ms per ballot), one core.
2. Verification of those ballots' proofs on one core, then on `--procs` processes (the
   ceiling a server can accept ballots at: `ballot_proofs_per_s`).
3. Node 20 running web/static/js/ballot-crypto.js (vendored @noble/curves): encryption and
   verification time per ballot (V8, as in Chromium; a phone is slower).
4. The tally of `--tally-ballots` ballots: homomorphic sum (split over `--procs` processes),
   two guardians' partial decryptions with proofs, Lagrange combination, discrete logs.
   The ballots summed cycle through a pool of 1,000 real ones: an addition costs the same
   whatever the point (libsodium is constant-time), and the expected counts stay known.
5. `verify_record` on a whole record of `--record-ballots` ballots over `--procs` spawned
   processes (`record_verify_ballots_per_s`, process start-up included).
Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import msgspec  # noqa: E402

from negotiation.ballots.ballot import EncryptedBallot, ballot_problems, encrypt_ballot  # noqa: E402
from negotiation.ballots.ceremony import guardian_public_share, joint_public_key  # noqa: E402
from negotiation.ballots.context import ElectionContext  # noqa: E402
from negotiation.ballots.elgamal import Ciphertext, add_all  # noqa: E402
from negotiation.ballots.group import Point, Scalar  # noqa: E402
from negotiation.ballots.record import BallotRecord, ballot_from, ballot_record  # noqa: E402
from negotiation.ballots.sample import Ceremony, build_record, run_ceremony  # noqa: E402
from negotiation.ballots.tally import (  # noqa: E402
    combine,
    partial_decrypt,
    share_problems,
)
from negotiation.ballots.verify import verify_record  # noqa: E402

ALL_OPTIONS = ("yes", "no", "abstain")
POOL = 1000


def _context(options: int) -> tuple[ElectionContext, Ceremony]:
    ceremony = run_ceremony("bench-election", 3, 2)
    key = joint_public_key(ceremony.announcements)
    context = ElectionContext("bench-election", bytes(32), bytes(32), key, ALL_OPTIONS[:options])
    return context, ceremony


# --- worker processes ------------------------------------------------------------------------
_WORKER: dict[str, object] = {}


def _init_worker(context_bytes: bytes, options: int) -> None:
    election_id, key, doc = msgspec.msgpack.decode(context_bytes)
    _WORKER["context"] = ElectionContext(
        election_id, doc, bytes(32), Point.from_bytes(key), ALL_OPTIONS[:options]
    )


def _verify_chunk(encoded: list[bytes]) -> int:
    context = _WORKER["context"]
    assert isinstance(context, ElectionContext)
    bad = 0
    for raw in encoded:
        ballot = ballot_from(msgspec.msgpack.decode(raw, type=BallotRecord))
        bad += bool(ballot_problems(context, ballot))
    return bad


def _sum_chunk(args: tuple[list[bytes], int, int]) -> list[bytes]:
    pool, start, stop = args
    cts = [[Ciphertext.from_bytes(c) for c in msgspec.msgpack.decode(raw)] for raw in pool]
    columns = []
    for j in range(len(cts[0])):
        columns.append(add_all(cts[i % len(cts)][j] for i in range(start, stop)).to_bytes())
    return columns


def _wire(b: EncryptedBallot) -> bytes:
    return msgspec.msgpack.encode(ballot_record(b"", b))


def _node_figures(context: ElectionContext, count: int) -> dict[str, float] | None:
    node = shutil.which("node")
    if node is None:
        return None
    module = (ROOT / "web" / "static" / "js" / "ballot-crypto.js").as_uri()
    script = f"""
import * as bc from {json.dumps(module)};
import {{ webcrypto }} from 'node:crypto';
const ctx = {{ electionId: {json.dumps(context.election_id)}, documentHash: new Uint8Array(32),
  rollHash: new Uint8Array(32),
  publicKey: bc.pointFromBytes(bc.unhex({json.dumps(bytes(context.public_key).hex())})),
  options: {json.dumps(list(context.options))} }};
const seed = () => webcrypto.getRandomValues(new Uint8Array(32));
bc.encryptBallot(ctx, 0, seed());  // warm the JIT and noble's base-point table
const ballots = []; let t = performance.now();
for (let i = 0; i < {count}; i += 1) {{
  ballots.push(bc.encryptBallot(ctx, i % ctx.options.length, seed()));
}}
const enc = (performance.now() - t) / {count};
t = performance.now(); let bad = 0;
for (const b of ballots) bad += bc.ballotProblems(ctx, b).length;
const ver = (performance.now() - t) / {count};
console.log(JSON.stringify({{ encrypt_ms: enc, verify_ms: ver, bad }}));
"""
    out = subprocess.run(
        [node, "--input-type=module"], input=script, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _libsodium_costs(n: int = 2000) -> dict[str, float]:
    k = Scalar.random()
    p = Point.base_times(Scalar.random())
    t = time.perf_counter()
    for _ in range(n):
        p * k
    mul = time.perf_counter() - t
    t = time.perf_counter()
    for _ in range(n):
        Point.base_times(k)
    base = time.perf_counter() - t
    t = time.perf_counter()
    for _ in range(n):
        p + p
    add = time.perf_counter() - t
    return {"mul_us": 1e6 * mul / n, "base_us": 1e6 * base / n, "add_us": 1e6 * add / n}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--options", type=int, default=3, choices=(2, 3))
    parser.add_argument("--verify-ballots", type=int, default=300)
    parser.add_argument("--tally-ballots", type=int, default=100_000)
    parser.add_argument("--node-ballots", type=int, default=20)
    parser.add_argument("--record-ballots", type=int, default=1000)
    parser.add_argument("--procs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()

    context, ceremony = _context(args.options)
    n_opt = len(context.options)
    print(f"ballot cryptography: ristretto255 via libsodium, {n_opt} options, "
          f"{args.procs} processes for the parallel parts", flush=True)
    ops = _libsodium_costs()
    print(f"libsodium via pysodium: variable-base mult {ops['mul_us']:.0f} µs, base mult "
          f"{ops['base_us']:.0f} µs, addition {ops['add_us']:.0f} µs", flush=True)

    t = time.perf_counter()
    ballots = [
        encrypt_ballot(context, i % n_opt, os.urandom(32)) for i in range(args.verify_ballots)
    ]
    encrypt_ms = 1000 * (time.perf_counter() - t) / len(ballots)
    print(f"python encrypt: {encrypt_ms:.2f} ms per ballot (one core)", flush=True)

    t = time.perf_counter()
    bad = sum(bool(ballot_problems(context, b)) for b in ballots)
    one_core = len(ballots) / (time.perf_counter() - t)
    assert bad == 0
    print(f"verify, one core: {one_core:,.0f} ballots/s", flush=True)

    wires = [_wire(b) for b in ballots] * 2  # twice as many, so the pool's start-up is amortised
    ctx_bytes = msgspec.msgpack.encode(
        [context.election_id, bytes(context.public_key), context.document_hash]
    )
    chunks = [wires[i :: args.procs * 4] for i in range(args.procs * 4)]
    with Pool(args.procs, initializer=_init_worker, initargs=(ctx_bytes, n_opt)) as pool:
        pool.map(_verify_chunk, [wires[:2]] * args.procs)  # start the workers before timing
        t = time.perf_counter()
        bad = sum(pool.map(_verify_chunk, chunks))
        all_cores = len(wires) / (time.perf_counter() - t)
        assert bad == 0
        print(f"verify, {args.procs} processes: {all_cores:,.0f} ballots/s", flush=True)

        node = _node_figures(context, args.node_ballots)
        if node:
            print(f"node (noble): encrypt {node['encrypt_ms']:.1f} ms, verify "
                  f"{node['verify_ms']:.1f} ms per ballot", flush=True)

        # The tally of a roll-sized election.
        pool_size = min(POOL, args.tally_ballots)
        pool_ballots = [
            encrypt_ballot(context, i % n_opt, os.urandom(32)) for i in range(pool_size)
        ]
        pool_wire = [
            msgspec.msgpack.encode([c.to_bytes() for c in b.ciphertexts]) for b in pool_ballots
        ]
        total = args.tally_ballots
        bounds = [total * i // args.procs for i in range(args.procs + 1)]
        t = time.perf_counter()
        jobs = [(pool_wire, bounds[i], bounds[i + 1]) for i in range(args.procs)]
        parts = pool.map(_sum_chunk, jobs)
        totals = tuple(
            add_all(Ciphertext.from_bytes(p[j]) for p in parts) for j in range(n_opt)
        )
        sum_s = time.perf_counter() - t
    t = time.perf_counter()
    shares = [
        partial_decrypt(context.hash, i, ceremony.secret_shares[i], totals, os.urandom(32))
        for i in (1, 3)
    ]
    decrypt_s = time.perf_counter() - t
    t = time.perf_counter()
    for s in shares:
        public = guardian_public_share(ceremony.announcements, s.guardian)
        assert share_problems(context.hash, public, totals, s) == []
    check_s = time.perf_counter() - t
    t = time.perf_counter()
    counts = combine(totals, shares, 2, bound=total)
    combine_s = time.perf_counter() - t
    choices = [(i % pool_size) % n_opt for i in range(total)]
    expected = [choices.count(j) for j in range(n_opt)]
    exact = list(counts) == expected
    print(f"tally of {total:,} ballots: sum {sum_s:.2f} s ({args.procs} processes), "
          f"2 partial decryptions {1000 * decrypt_s:.0f} ms, their proofs checked "
          f"{1000 * check_s:.0f} ms, combine + discrete logs {1000 * combine_s:.0f} ms; "
          f"counts {list(counts)} {'exact' if exact else 'WRONG'}", flush=True)

    # The whole public record, as verify-vote checks it (processes, chain, sum, shares).
    choices = [i % n_opt for i in range(args.record_ballots)]
    record = build_record("bench-record", context.options, choices)
    t = time.perf_counter()
    verified = verify_record(record, processes=args.procs)
    record_s = time.perf_counter() - t
    assert verified.ok, verified.problems[:3]
    record_rate = len(record.ballots) / record_s
    print(f"verify a record of {len(record.ballots):,} ballots, {args.procs} processes: "
          f"{record_s:.2f} s ({record_rate:,.0f} ballots/s, process start-up included)", flush=True)
    print(json.dumps({
        "options": n_opt,
        "libsodium_mul_us": round(ops["mul_us"]),
        "python_encrypt_ms": round(encrypt_ms, 2),
        "ballot_proofs_per_s_one_core": round(one_core),
        "ballot_proofs_per_s": round(all_cores),
        "node_encrypt_ms": round(node["encrypt_ms"], 1) if node else None,
        "node_verify_ms": round(node["verify_ms"], 1) if node else None,
        "tally_ballots": total,
        "tally_sum_s": round(sum_s, 2),
        "tally_decrypt_ms": round(1000 * (decrypt_s + combine_s)),
        "tally_exact": exact,
        "record_verify_ballots_per_s": round(record_rate),
    }))


if __name__ == "__main__":
    main()
