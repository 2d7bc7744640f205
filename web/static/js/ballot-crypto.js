// Ballot cryptography in the browser: the same protocol as negotiation/ballots/ (docs/BALLOTS.md).
//
// Encrypts a one-hot ballot with its proofs, verifies ballots, makes a guardian's partial decryption
// with its proof; for the ceremony, Schnorr proofs, sealed shares and the passphrase-locked key file.
// All group arithmetic is @noble/curves' ristretto255, hashing @noble/hashes (SHA-2, argon2id),
// AEADs @noble/ciphers (vendored, see ../vendor/README.md); this file only arranges them. Given the
// same seeds it reproduces tests/vectors/ballots.json byte for byte. Values: points are
// RistrettoPoint objects, scalars are bigints mod L, the hash parts' integers are JS numbers
// (8-byte big-endian), strings UTF-8, Uint8Array raw bytes.

import { ristretto255 } from '../vendor/noble-curves/ed25519.js';
import { bytesToNumberLE, concatBytes, hexToBytes, bytesToHex } from '../vendor/noble-curves/utils.js';
import { sha256, sha512 } from '../vendor/noble-hashes/sha2.js';
import { argon2id } from '../vendor/noble-hashes/argon2.js';
import { xchacha20poly1305 } from '../vendor/noble-ciphers/chacha.js';
import { xsalsa20poly1305 } from '../vendor/noble-ciphers/salsa.js';

const Point = ristretto255.Point;
const Fn = Point.Fn;
const G = Point.BASE;
export const PROTOCOL = 'ratify/v1';
const utf8 = new TextEncoder();

// --- points and scalars ------------------------------------------------------------------------
export const hex = bytesToHex;
const b64 = (bytes) => btoa(String.fromCharCode(...bytes));
export const unhex = hexToBytes;

/** Decode a point; throws on anything but a canonical ristretto255 encoding (as group.py). */
export function pointFromBytes(bytes) {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) throw new Error('a group element is 32 bytes');
  return Point.fromBytes(bytes);
}
/** Decode a scalar; throws unless it is 32 bytes and reduced modulo L (as group.py). */
export function scalarFromBytes(bytes) {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) throw new Error('a scalar is 32 bytes');
  return Fn.fromBytes(bytes);
}
export const pointHex = (p) => hex(p.toBytes());
export const scalarHex = (s) => hex(Fn.toBytes(s));
// noble refuses a zero multiplier; the protocol needs g^0 = identity (libsodium: same answer in group.py).
const mul = (p, k) => (k === 0n || p.equals(Point.ZERO) ? Point.ZERO : p.multiply(k));
const baseTimes = (k) => mul(G, k);

// --- hashing: the canonical length-prefixed encoding -------------------------------------------
function partBytes(item) {
  if (item instanceof Uint8Array) return item;
  if (typeof item === 'string') return utf8.encode(item);
  if (typeof item === 'number') {
    if (!Number.isSafeInteger(item) || item < 0) throw new Error('integer parts are non-negative');
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, BigInt(item), false);
    return out;
  }
  if (typeof item === 'bigint') return Fn.toBytes(item);
  if (item instanceof Point) return item.toBytes();
  throw new Error('unknown hash part');
}

/** u32_be(len) || bytes, for the tag and then each part (group.encode_parts). */
export function encodeParts(tag, parts) {
  const chunks = [];
  for (const item of [tag, ...parts]) {
    const raw = partBytes(item);
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, raw.length, false);
    chunks.push(len, raw);
  }
  return concatBytes(...chunks);
}
/** SHA-512 of the encoding, reduced modulo L: every Fiat–Shamir challenge. */
export const hashToScalar = (tag, ...parts) => Fn.create(bytesToNumberLE(sha512(encodeParts(tag, parts))));
/** SHA-256 of the encoding: context hash, ballot hash, tracking codes. */
export const digest = (tag, ...parts) => sha256(encodeParts(tag, parts));

export function deriveNonce(seed, ...labels) {
  if (seed.length !== 32) throw new Error('a nonce seed is 32 bytes');
  return hashToScalar(`${PROTOCOL}/nonce`, seed, ...labels);
}

/** Q: the election context every proof hashes first (context.py). */
export function contextHash({ electionId, documentHash, rollHash, publicKey, options }) {
  return digest(`${PROTOCOL}/context`, electionId, documentHash, rollHash, publicKey, options.length, ...options);
}

// --- ElGamal ------------------------------------------------------------------------------------
/** Enc(m; r) = (g^r, g^m·K^r); for a selection g^m is picked, so a no costs what a yes costs. */
export function encrypt(publicKey, message, nonce) {
  const gm = message === 1 ? G : message === 0 ? Point.ZERO : baseTimes(BigInt(message));
  return { alpha: baseTimes(nonce), beta: gm.add(mul(publicKey, nonce)) };
}
export function addAll(cts) {
  return cts.reduce((s, c) => ({ alpha: s.alpha.add(c.alpha), beta: s.beta.add(c.beta) }),
    { alpha: Point.ZERO, beta: Point.ZERO });
}

// --- proofs (proofs.py): response v = u + c·secret -----------------------------------------------
export function proveSchnorr(context, label, secret, u) {
  const pub = baseTimes(secret);
  const c = hashToScalar(`${PROTOCOL}/schnorr`, context, ...label, pub, baseTimes(u));
  return { c, v: Fn.add(u, Fn.mul(c, secret)) };
}
export function verifySchnorr(context, label, pub, { c, v }) {
  if (pub.equals(Point.ZERO)) return false;
  const h = baseTimes(v).subtract(mul(pub, c));
  return hashToScalar(`${PROTOCOL}/schnorr`, context, ...label, pub, h) === c;
}

function rangeCommitments(key, ct, j, c, v) {
  const betaJ = j === 1 ? ct.beta.subtract(G) : ct.beta;
  return [baseTimes(v).subtract(mul(ct.alpha, c)), mul(key, v).subtract(mul(betaJ, c))];
}
const rangeChallenge = (q, option, ct, [[a0, b0], [a1, b1]]) =>
  hashToScalar(`${PROTOCOL}/range01`, q, option, ct.alpha, ct.beta, a0, b0, a1, b1);

export function proveRange01(q, option, key, ct, plaintext, nonce, u, fakeC, fakeV) {
  if (plaintext !== 0 && plaintext !== 1) throw new Error('a selection is 0 or 1');
  const fake = 1 - plaintext;
  const commits = [];
  commits[plaintext] = [baseTimes(u), mul(key, u)];
  commits[fake] = rangeCommitments(key, ct, fake, fakeC, fakeV);
  const c = rangeChallenge(q, option, ct, commits);
  const realC = Fn.sub(c, fakeC);
  const realV = Fn.add(u, Fn.mul(realC, nonce));
  return plaintext === 0 ? { c0: realC, c1: fakeC, v0: realV, v1: fakeV }
    : { c0: fakeC, c1: realC, v0: fakeV, v1: realV };
}
export function verifyRange01(q, option, key, ct, p) {
  if (ct.alpha.equals(Point.ZERO)) return false;
  const commits = [rangeCommitments(key, ct, 0, p.c0, p.v0), rangeCommitments(key, ct, 1, p.c1, p.v1)];
  return rangeChallenge(q, option, ct, commits) === Fn.add(p.c0, p.c1);
}

export function proveSum(q, key, ct, total, nonce, u) {
  const c = hashToScalar(`${PROTOCOL}/sum`, q, total, ct.alpha, ct.beta, baseTimes(u), mul(key, u));
  return { c, v: Fn.add(u, Fn.mul(c, nonce)) };
}
export function verifySum(q, key, ct, total, { c, v }) {
  const a = baseTimes(v).subtract(mul(ct.alpha, c));
  const b = mul(key, v).subtract(mul(ct.beta.subtract(baseTimes(BigInt(total))), c));
  return hashToScalar(`${PROTOCOL}/sum`, q, total, ct.alpha, ct.beta, a, b) === c;
}

export function proveDecryption(q, index, secret, ct, u) {
  const pub = baseTimes(secret);
  const share = mul(ct.alpha, secret);
  const c = hashToScalar(`${PROTOCOL}/decrypt`, q, index, pub, ct.alpha, ct.beta, share,
    baseTimes(u), mul(ct.alpha, u));
  return { share, proof: { c, v: Fn.add(u, Fn.mul(c, secret)) } };
}
export function verifyDecryption(q, index, pub, ct, share, { c, v }) {
  const a = baseTimes(v).subtract(mul(pub, c));
  const b = mul(ct.alpha, v).subtract(mul(share, c));
  return hashToScalar(`${PROTOCOL}/decrypt`, q, index, pub, ct.alpha, ct.beta, share, a, b) === c;
}

// --- the ballot (ballot.py) ----------------------------------------------------------------------
const SELECTIONS = 1;

/** 32 fresh random bytes: the seed of one ballot's (or one partial decryption's) secrets. */
export const randomSeed = () => globalThis.crypto.getRandomValues(new Uint8Array(32));

/** Encrypt `choice` (an index into ctx.options); seed: randomSeed() (the vectors fix it). */
export function encryptBallot(ctx, choice, seed) {
  if (!(choice >= 0 && choice < ctx.options.length)) throw new Error('not one of the options');
  const q = contextHash(ctx);
  const ciphertexts = [];
  const rangeProofs = [];
  let total = 0n;
  ctx.options.forEach((_, j) => {
    const selected = j === choice ? 1 : 0;
    const r = deriveNonce(seed, 'encrypt', j);
    const ct = encrypt(ctx.publicKey, selected, r);
    rangeProofs.push(proveRange01(q, j, ctx.publicKey, ct, selected, r,
      deriveNonce(seed, 'range-u', j), deriveNonce(seed, 'range-c', j), deriveNonce(seed, 'range-v', j)));
    ciphertexts.push(ct);
    total = Fn.add(total, r);
  });
  const sumProof = proveSum(q, ctx.publicKey, addAll(ciphertexts), SELECTIONS, total, deriveNonce(seed, 'sum-u'));
  return { ciphertexts, rangeProofs, sumProof };
}

/** What is wrong with a ballot, as sentences; empty when valid (the server decides; this warns). */
export function ballotProblems(ctx, ballot) {
  const n = ctx.options.length;
  if (ballot.ciphertexts.length !== n || ballot.rangeProofs.length !== n) {
    return [`the ballot must carry one encrypted selection per option (${n})`];
  }
  const q = contextHash(ctx);
  const problems = [];
  ballot.ciphertexts.forEach((ct, j) => {
    if (!verifyRange01(q, j, ctx.publicKey, ct, ballot.rangeProofs[j])) {
      problems.push(`the proof that the selection for '${ctx.options[j]}' is 0 or 1 does not verify`);
    }
  });
  if (!verifySum(q, ctx.publicKey, addAll(ballot.ciphertexts), SELECTIONS, ballot.sumProof)) {
    problems.push('the proof that exactly one option is selected does not verify');
  }
  return problems;
}

export function ballotHash(ctx, ballot) {
  const parts = [];
  ballot.ciphertexts.forEach((ct, j) => {
    const p = ballot.rangeProofs[j];
    parts.push(concatBytes(ct.alpha.toBytes(), ct.beta.toBytes()), p.c0, p.c1, p.v0, p.v1);
  });
  parts.push(ballot.sumProof.c, ballot.sumProof.v);
  return digest(`${PROTOCOL}/ballot`, contextHash(ctx), ballot.ciphertexts.length, ...parts);
}
export const firstTrackingCode = (ctx) => digest(`${PROTOCOL}/tracking-start`, contextHash(ctx));
export const nextTrackingCode = (previous, ballotDigest) => digest(`${PROTOCOL}/tracking`, previous, ballotDigest);
export function displayTrackingCode(code) {
  const h = hex(code.slice(0, 10)).toUpperCase();
  return h.match(/.{4}/g).join('-');
}

// --- a guardian's partial decryption of the tally (tally.py) --------------------------------------
export function partialDecrypt(q, guardian, secretShare, totals, seed) {
  const made = totals.map((ct, j) => proveDecryption(q, guardian, secretShare, ct, deriveNonce(seed, 'decrypt-u', j)));
  return { guardian, shares: made.map((m) => m.share), proofs: made.map((m) => m.proof) };
}

// --- the ceremony: shares sealed to a guardian's transport key (ceremony.py) -----------------------
const shareKey = (E, X, S) => digest(`${PROTOCOL}/share-key`, E, X, S);
const shareAad = (ceremonyHash, sender, recipient) =>
  encodeParts(`${PROTOCOL}/share-aad`, [ceremonyHash, sender, recipient]);

/** P_sender(recipient) sealed to the recipient's transport key X (ECIES, XChaCha20-Poly1305). */
export function sealShare(ceremonyHash, sender, recipient, recipientKey, value, ephemeral, nonce) {
  const E = baseTimes(ephemeral);
  const key = shareKey(E, recipientKey, mul(recipientKey, ephemeral));
  const aead = xchacha20poly1305(key, nonce, shareAad(ceremonyHash, sender, recipient));
  return { sender, recipient, ephemeral: E, nonce, sealed: aead.encrypt(Fn.toBytes(value)) };
}
/** Open a share sent to us; throws if it was altered, relabelled or sealed to someone else. */
export function openShare(ceremonyHash, transportSecret, share) {
  const own = baseTimes(transportSecret);
  const key = shareKey(share.ephemeral, own, mul(share.ephemeral, transportSecret));
  const aead = xchacha20poly1305(key, share.nonce, shareAad(ceremonyHash, share.sender, share.recipient));
  return scalarFromBytes(aead.decrypt(share.sealed));
}
/** Π_j K_j^{x^j} = g^{P(x)}: Feldman's check of a share against the sender's commitments. */
export function commitmentAt(commitments, x) {
  let acc = Point.ZERO;
  let power = 1n;
  for (const k of commitments) {
    acc = acc.add(mul(k, power));
    power = Fn.mul(power, BigInt(x));
  }
  return acc;
}
export const shareMatches = (commitments, recipient, value) =>
  baseTimes(value).equals(commitmentAt(commitments, recipient));

// --- the guardian's key file: argon2id + secretbox, byte-compatible with keyfile.lock_key_file ----
const KEY_FILE_FORMAT = `${PROTOCOL}/guardian-key`;
const unb64 = (text) => Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
const fileKey = (passphrase, salt, opslimit, memlimit) =>
  argon2id(utf8.encode(passphrase), salt, { t: opslimit, m: memlimit / 1024, p: 1, dkLen: 32 });

/** The key file's bytes (JSON, as msgspec writes it); salt (16) and nonce (24) random in use. */
export function lockKeyFile({ electionId, guardian, secretShare }, passphrase,
  { opslimit = 2, memlimit = 67108864, salt, nonce }) {
  if (passphrase.length < 12) throw new Error('a key file passphrase has at least 12 characters');
  const inner = JSON.stringify({ election_id: electionId, guardian, secret_share: b64(Fn.toBytes(secretShare)) });
  const box = xsalsa20poly1305(fileKey(passphrase, salt, opslimit, memlimit), nonce).encrypt(utf8.encode(inner));
  return utf8.encode(JSON.stringify({ format: KEY_FILE_FORMAT, kdf: 'argon2id13', opslimit, memlimit,
    salt: b64(salt), nonce: b64(nonce), box: b64(box) }));
}
/** Open a key file; throws one error for a wrong passphrase or a damaged file. */
export function unlockKeyFile(bytes, passphrase) {
  const f = JSON.parse(new TextDecoder().decode(bytes));
  if (f.format !== KEY_FILE_FORMAT || f.kdf !== 'argon2id13') throw new Error('this is not a guardian key file of this version');
  if (!(f.opslimit >= 1 && f.opslimit <= 4 && f.memlimit >= 8192 && f.memlimit <= 1073741824)) {
    throw new Error('this key file asks for password-hashing limits out of range');
  }
  let plain;
  try {
    plain = xsalsa20poly1305(fileKey(passphrase, unb64(f.salt), f.opslimit, f.memlimit), unb64(f.nonce)).decrypt(unb64(f.box));
  } catch {
    throw new Error('the passphrase is wrong or the key file is damaged');
  }
  const s = JSON.parse(new TextDecoder().decode(plain));
  return { electionId: s.election_id, guardian: s.guardian, secretShare: scalarFromBytes(unb64(s.secret_share)) };
}

// --- wire form: hex strings, as in tests/vectors/ballots.json -------------------------------------
export const ballotToJSON = (b) => ({
  ciphertexts: b.ciphertexts.map((c) => ({ alpha: pointHex(c.alpha), beta: pointHex(c.beta) })),
  range_proofs: b.rangeProofs.map((p) => ({ c0: scalarHex(p.c0), c1: scalarHex(p.c1), v0: scalarHex(p.v0), v1: scalarHex(p.v1) })),
  sum_proof: { c: scalarHex(b.sumProof.c), v: scalarHex(b.sumProof.v) },
});
const pt = (h) => pointFromBytes(unhex(h));
const sc = (h) => scalarFromBytes(unhex(h));
export const ciphertextFromJSON = (c) => ({ alpha: pt(c.alpha), beta: pt(c.beta) });
export const ballotFromJSON = (b) => ({
  ciphertexts: b.ciphertexts.map(ciphertextFromJSON),
  rangeProofs: b.range_proofs.map((p) => ({ c0: sc(p.c0), c1: sc(p.c1), v0: sc(p.v0), v1: sc(p.v1) })),
  sumProof: { c: sc(b.sum_proof.c), v: sc(b.sum_proof.v) },
});

// --- wire form for the server: base64 fields, as msgspec encodes bytes (record.BallotSubmission) --
const pt64 = (p) => b64(p.toBytes());
const sc64 = (s) => b64(Fn.toBytes(s));
export const ballotToWire = (b) => ({
  ciphertexts: b.ciphertexts.map((c) => ({ alpha: pt64(c.alpha), beta: pt64(c.beta) })),
  range_proofs: b.rangeProofs.map((p) => ({ c0: sc64(p.c0), c1: sc64(p.c1), v0: sc64(p.v0), v1: sc64(p.v1) })),
  sum_proof: { c: sc64(b.sumProof.c), v: sc64(b.sumProof.v) },
});
