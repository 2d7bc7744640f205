// The known-answer checks of web/static/js/ballot-crypto.js, run by Node (run_vectors.mjs) and by
// Chromium (test_vectors.py): check(V, bc) → { checked, failures }.

export function check(V, bc) {
  const failures = [];
  let checked = 0;
  const same = (what, got, want) => {
    checked += 1;
    if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  };
  const truthy = (what, ok) => { checked += 1; if (!ok) failures.push(what); };
  const throws = (what, fn) => { checked += 1; try { fn(); failures.push(`${what}: did not throw`); } catch { /* refused, as it must be */ } };
  const u = bc.unhex;
  const pt = (h) => bc.pointFromBytes(u(h));
  const sc = (h) => bc.scalarFromBytes(u(h));
  const proofHex = (p) => ({ c: bc.scalarHex(p.c), v: bc.scalarHex(p.v) });

  // Hashing and nonces.
  for (const e of V.encoding) {
    const parts = e.parts.map((p) => ('bytes' in p ? u(p.bytes) : 'str' in p ? p.str : p.int));
    same(`encoding of ${e.tag}`, bc.hex(bc.encodeParts(e.tag, parts)), e.encoded);
    same(`hash_to_scalar of ${e.tag}`, bc.scalarHex(bc.hashToScalar(e.tag, ...parts)), e.hash_to_scalar);
    same(`digest of ${e.tag}`, bc.hex(bc.digest(e.tag, ...parts)), e.digest);
  }
  for (const n of V.nonces) same('derived nonce', bc.scalarHex(bc.deriveNonce(u(n.seed), ...n.labels)), n.scalar);
  for (const bad of V.invalid_points) throws(`invalid point ${bad}`, () => pt(bad));
  for (const bad of V.unreduced_scalars) throws(`unreduced scalar ${bad}`, () => sc(bad));

  // Ceremony: each guardian's commitments and Schnorr proofs from its seed.
  const C = V.ceremony;
  const ceremonyHash = u(C.hash);
  for (const a of C.announcements) {
    const seed = u(C.guardian_seeds[String(a.index)]);
    for (let j = 0; j < C.quorum; j += 1) {
      const coeff = bc.deriveNonce(seed, 'coefficient', j);
      same(`guardian ${a.index} commitment ${j}`, bc.pointHex(bc.encrypt(bc.pointFromBytes(u(C.joint_public_key)), 0, coeff).alpha), a.commitments[j]);
      same(`guardian ${a.index} Schnorr proof ${j}`, proofHex(bc.proveSchnorr(ceremonyHash, [a.index, j], coeff, bc.deriveNonce(seed, 'schnorr-u', j))), a.coefficient_proofs[j]);
      truthy(`guardian ${a.index} Schnorr proof ${j} verifies`, bc.verifySchnorr(ceremonyHash, [a.index, j], pt(a.commitments[j]), { c: sc(a.coefficient_proofs[j].c), v: sc(a.coefficient_proofs[j].v) }));
      truthy(`guardian ${a.index} Schnorr proof ${j} is bound to its coefficient index`, !bc.verifySchnorr(ceremonyHash, [a.index, j + 1], pt(a.commitments[j]), { c: sc(a.coefficient_proofs[j].c), v: sc(a.coefficient_proofs[j].v) }));
    }
    const t = bc.deriveNonce(seed, 'transport');
    same(`guardian ${a.index} transport proof`, proofHex(bc.proveSchnorr(ceremonyHash, [a.index, 'transport'], t, bc.deriveNonce(seed, 'schnorr-u', 'transport'))), a.transport_proof);
  }

  // A sealed share: the same bytes from the same ephemeral and nonce; only its recipient opens it.
  const S = C.sealed_share;
  const recipient = C.announcements[S.recipient - 1];
  const sealed = bc.sealShare(ceremonyHash, S.sender, S.recipient, pt(recipient.transport_key), sc(S.value), sc(S.ephemeral_secret), u(S.nonce));
  same('sealed share ephemeral', bc.pointHex(sealed.ephemeral), S.ephemeral);
  same('sealed share', bc.hex(sealed.sealed), S.sealed);
  const transport = bc.deriveNonce(u(C.guardian_seeds[String(S.recipient)]), 'transport');
  same('opened share', bc.scalarHex(bc.openShare(ceremonyHash, transport, sealed)), S.value);
  truthy('opened share matches the sender\'s commitments', bc.shareMatches(C.announcements[S.sender - 1].commitments.map(pt), S.recipient, sc(S.value)));
  truthy('a share off by one does not match', !bc.shareMatches(C.announcements[S.sender - 1].commitments.map(pt), S.recipient, sc(S.value) + 1n));
  // The complaint round: a revealed share is checked against its sender's commitments (the
  // server's check_revealed_share does the same); a forged one does not match.
  for (const r of C.backup_shares) {
    const commitments = C.announcements[r.sender - 1].commitments.map(pt);
    same(`backup share ${r.sender}→${r.recipient} commitment`, bc.pointHex(bc.commitmentAt(commitments, r.recipient)), r.commitment_at);
    truthy(`backup share ${r.sender}→${r.recipient} matches`, bc.shareMatches(commitments, r.recipient, sc(r.value)));
    truthy(`forged backup share ${r.sender}→${r.recipient} does not match`, !bc.shareMatches(commitments, r.recipient, sc(r.forged)));
  }
  throws('a share relabelled to another sender', () => bc.openShare(ceremonyHash, transport, { ...sealed, sender: 3 }));
  throws('a share opened by another guardian', () => bc.openShare(ceremonyHash, bc.deriveNonce(u(C.guardian_seeds['3']), 'transport'), sealed));

  // The key file: the same bytes as libsodium's, and it opens with its passphrase only.
  const F = C.key_file;
  const file = bc.lockKeyFile({ electionId: F.election_id, guardian: F.guardian, secretShare: sc(F.secret_share) }, F.passphrase,
    { opslimit: F.opslimit, memlimit: F.memlimit, salt: u(F.salt), nonce: u(F.nonce) });
  same('key file', new TextDecoder().decode(file), F.file);
  const opened = bc.unlockKeyFile(new TextEncoder().encode(F.file), F.passphrase);
  same('key file opened', [opened.electionId, opened.guardian, bc.scalarHex(opened.secretShare)], [F.election_id, F.guardian, F.secret_share]);
  throws('key file with a wrong passphrase', () => bc.unlockKeyFile(new TextEncoder().encode(F.file), F.passphrase + '!'));

  // Ballots: the same bytes from the same seed, valid, chained.
  const X = V.context;
  const ctx = { electionId: X.election_id, documentHash: u(X.document_hash), rollHash: u(X.roll_hash), publicKey: pt(X.public_key), options: X.options };
  same('context hash', bc.hex(bc.contextHash(ctx)), X.hash);
  let code = bc.firstTrackingCode(ctx);
  same('first tracking code', bc.hex(code), V.first_tracking_code);
  const made = [];
  for (const [i, b] of V.ballots.entries()) {
    const ballot = bc.encryptBallot(ctx, b.choice, u(b.seed));
    made.push(ballot);
    const wire = bc.ballotToJSON(ballot);
    same(`ballot ${i} ciphertexts`, wire.ciphertexts, b.ciphertexts);
    same(`ballot ${i} range proofs`, wire.range_proofs, b.range_proofs);
    same(`ballot ${i} sum proof`, wire.sum_proof, b.sum_proof);
    same(`ballot ${i} verifies`, bc.ballotProblems(ctx, bc.ballotFromJSON(b)), []);
    same(`ballot ${i} hash`, bc.hex(bc.ballotHash(ctx, ballot)), b.ballot_hash);
    code = bc.nextTrackingCode(code, bc.ballotHash(ctx, ballot));
    same(`ballot ${i} tracking code`, bc.hex(code), b.tracking_code);
  }
  const fresh = bc.encryptBallot(ctx, 1, bc.randomSeed());
  same('a ballot from a random seed verifies', bc.ballotProblems(ctx, fresh), []);
  truthy('two random seeds differ', bc.hex(bc.randomSeed()) !== bc.hex(bc.randomSeed()));
  // Forgeries the browser must also refuse: a swapped challenge, another election's context.
  const forged = bc.ballotFromJSON(V.ballots[0]);
  forged.rangeProofs[0] = { ...forged.rangeProofs[0], c0: forged.rangeProofs[0].c1, c1: forged.rangeProofs[0].c0 };
  same('swapped challenge refused', bc.ballotProblems(ctx, forged).length, 1);
  same('another election refused', bc.ballotProblems({ ...ctx, electionId: 'other' }, bc.ballotFromJSON(V.ballots[0])).length, 4);

  // Tally: the sum, and each present guardian's partial decryption with its proof.
  const T = V.tally;
  const totals = X.options.map((_, j) => bc.addAll(made.map((b) => b.ciphertexts[j])));
  same('encrypted tally', totals.map((c) => ({ alpha: bc.pointHex(c.alpha), beta: bc.pointHex(c.beta) })), T.ciphertexts);
  const q = bc.contextHash(ctx);
  for (const d of T.decryption_shares) {
    const share = bc.partialDecrypt(q, d.guardian, sc(d.secret_share), totals, u(d.seed));
    same(`guardian ${d.guardian} partial decryptions`, share.shares.map(bc.pointHex), d.shares);
    same(`guardian ${d.guardian} decryption proofs`, share.proofs.map(proofHex), d.proofs);
    const pub = pt(C.public_shares[String(d.guardian)]);
    totals.forEach((ct, j) => {
      truthy(`guardian ${d.guardian} decryption proof ${j} verifies`, bc.verifyDecryption(q, d.guardian, pub, ct, share.shares[j], share.proofs[j]));
      truthy(`guardian ${d.guardian} decryption proof ${j} refuses another share`, !bc.verifyDecryption(q, d.guardian, pub, ct, share.shares[j].add(pt(V.generator)), share.proofs[j]));
    });
  }
  return { checked, failures };
}
