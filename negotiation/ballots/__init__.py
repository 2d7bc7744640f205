"""Ratification ballot cryptography: ristretto255 ElGamal, proofs, ceremony, tally, record."""
