#!/bin/sh
# Re-vendor @noble/curves, @noble/hashes and @noble/ciphers (README.md): the ESM files our entry points need.
# Usage: sh web/static/vendor/vendor-noble.sh 2.4.0   (run from the repository root; needs npm + node)
set -eu
VERSION="${1:?version of @noble/curves, e.g. 2.4.0}"
OUT="$(pwd)/web/static/vendor"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && npm init -y >/dev/null && npm install --silent "@noble/curves@$VERSION" "@noble/hashes@$VERSION" "@noble/ciphers@$VERSION")
node --input-type=module - "$TMP/node_modules/@noble" "$OUT" <<'JS'
import fs from 'node:fs'; import path from 'node:path';
const [src, out] = process.argv.slice(2);
const pkgDir = { '@noble/curves': 'curves', '@noble/hashes': 'hashes', '@noble/ciphers': 'ciphers' };
const seen = new Set(); const todo = ['curves/ed25519.js', 'hashes/sha2.js', 'hashes/argon2.js', 'ciphers/chacha.js', 'ciphers/salsa.js'];
while (todo.length) {
  const rel = todo.pop(); if (seen.has(rel)) continue; seen.add(rel);
  let text = fs.readFileSync(path.join(src, rel), 'utf8');
  const dir = path.posix.dirname(rel);
  // Only real import/export statements (line start), not the usage examples in doc comments.
  text = text.replace(/^((?:import|export)\b[^'";]*?\bfrom\s*|import\s*)(['"])([^'"]+)\2/gm, (m, kw, q, spec) => {
    let target;
    if (spec.startsWith('.')) target = path.posix.normalize(path.posix.join(dir, spec));
    else { const [scope, name, ...rest] = spec.split('/'); target = pkgDir[`${scope}/${name}`] + '/' + rest.join('/'); }
    todo.push(target);
    // Bare '@noble/hashes/…' specifiers become relative paths: no import map, works in Node and browsers.
    let relSpec = path.posix.relative('noble-' + dir, 'noble-' + target); if (!relSpec.startsWith('.')) relSpec = './' + relSpec;
    return `${kw}${q}${relSpec}${q}`;
  });
  const dest = path.join(out, 'noble-' + rel);
  fs.mkdirSync(path.dirname(dest), { recursive: true }); fs.writeFileSync(dest, text);
}
for (const p of ['curves', 'hashes', 'ciphers']) fs.copyFileSync(path.join(src, p, 'LICENSE'), path.join(out, `noble-${p}`, 'LICENSE'));
console.log([...seen].sort().join('\n'));
JS
