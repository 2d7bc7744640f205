"""The committed known answers are exactly what the Python code produces; and Node's run of the
browser module reproduces them too (so the two implementations agree byte for byte)."""

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path

import msgspec
import pytest

from negotiation.ballots.ballot import ballot_problems, encrypt_ballot
from negotiation.ballots.context import ElectionContext
from negotiation.ballots.group import Point
from negotiation.ballots.record import BallotSubmission, ballot_from

HERE = Path(__file__).parent
ROOT = HERE.parents[2]
VECTORS = ROOT / "tests" / "vectors" / "ballots.json"
NODE = shutil.which("node")


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "make_ballot_vectors", ROOT / "tests" / "vectors" / "make_ballot_vectors.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_python_reproduces_the_committed_vectors() -> None:
    assert _generator().vectors() == json.loads(VECTORS.read_text())


def _run_node(vectors: Path) -> dict:  # type: ignore[type-arg]
    assert NODE, "node is needed for the browser module's known-answer test"
    out = subprocess.run(
        [NODE, str(HERE / "run_vectors.mjs"), str(vectors)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_browser_module_reproduces_every_vector_under_node() -> None:
    report = _run_node(VECTORS)
    assert report["failures"] == []
    assert report["checked"] >= 90


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_node_run_fails_on_a_vector_it_does_not_reproduce(tmp_path: Path) -> None:
    vectors = json.loads(VECTORS.read_text())
    proof = vectors["ballots"][2]["range_proofs"][1]
    proof["c0"], proof["c1"] = proof["c1"], proof["c0"]
    vectors["tally"]["decryption_shares"][0]["shares"][0] = vectors["generator"]
    tampered = tmp_path / "ballots.json"
    tampered.write_text(json.dumps(vectors))
    failures = _run_node(tampered)["failures"]
    assert any(f.startswith("ballot 2 range proofs") for f in failures)
    assert any(f.startswith("ballot 2 verifies") for f in failures)
    assert any(f.startswith("guardian 1 partial decryptions") for f in failures)


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_a_ballot_posted_by_the_browser_module_decodes_and_verifies_on_the_server() -> None:
    vectors = json.loads(VECTORS.read_text())
    x, b = vectors["context"], vectors["ballots"][3]
    module = (ROOT / "web" / "static" / "js" / "ballot-crypto.js").as_uri()
    payload = json.dumps({"module": module, "context": x, "choice": b["choice"], "seed": b["seed"]})
    script = f"""
const a = {payload};
const bc = await import(a.module);
const x = a.context;
const ctx = {{ electionId: x.election_id, documentHash: bc.unhex(x.document_hash),
  rollHash: bc.unhex(x.roll_hash),
  publicKey: bc.pointFromBytes(bc.unhex(x.public_key)), options: x.options }};
console.log(JSON.stringify(bc.ballotToWire(bc.encryptBallot(ctx, a.choice, bc.unhex(a.seed)))));
"""
    out = subprocess.run(
        [NODE, "--input-type=module"], input=script, capture_output=True, text=True, check=True
    )
    posted = ballot_from(msgspec.json.decode(out.stdout.strip(), type=BallotSubmission))
    context = ElectionContext(
        x["election_id"],
        bytes.fromhex(x["document_hash"]),
        bytes.fromhex(x["roll_hash"]),
        Point.from_bytes(bytes.fromhex(x["public_key"])),
        tuple(x["options"]),
    )
    assert ballot_problems(context, posted) == []
    assert posted == encrypt_ballot(context, b["choice"], bytes.fromhex(b["seed"]))
