// Runs web/static/js/ballot-crypto.js against tests/vectors/ballots.json under Node; prints one JSON line.
// Usage: node tests/unit/ballots/run_vectors.mjs [vectors.json]   (test_vectors.py runs it)
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as bc from '../../../web/static/js/ballot-crypto.js';
import { check } from './vector_checks.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const V = JSON.parse(fs.readFileSync(process.argv[2] ?? `${root}tests/vectors/ballots.json`, 'utf8'));
console.log(JSON.stringify(check(V, bc)));
