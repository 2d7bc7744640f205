#!/usr/bin/env bash
# Installs the Debian packages `make run` (argument `run`) or `make test` (`test`, the default)
# need, once; quick and silent when all are there.
set -euo pipefail
purpose=${1:-test}

missing=()
command -v make >/dev/null || missing+=(make)
# Debian splits venv/ensurepip out of python3.
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
# The ratification ballots' cryptography binds libsodium.
compgen -G '/usr/lib/*/libsodium.so.23' >/dev/null || missing+=(libsodium23)
# The ratification document's PDF draws its text in Liberation Sans (Unicode; without it the
# PDF falls back to Latin-1 Helvetica). The browser tests' chromium needs a font too.
[ -d /usr/share/fonts/truetype/liberation ] || missing+=(fonts-liberation)
if [ "$purpose" = test ]; then
  # The browser tests drive Debian's chromium (Playwright's own browser downloads are never
  # used); its font is fonts-liberation, above (only a Recommends of chromium).
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  # The deployment test puts Debian's nginx in front of the app, as docs/DEPLOY.md does,
  # with a certificate openssl makes.
  [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v openssl >/dev/null || missing+=(openssl)
fi

[ ${#missing[@]} -eq 0 ] && exit 0

fail() {
  echo "Cannot install the system packages \`make $purpose\` needs (${missing[*]}): $1" >&2
  exit 1
}
command -v apt-get >/dev/null || fail "this is not a Debian-like system with apt-get; install them with your package manager."
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null && sudo -n true 2>/dev/null \
    || fail "run this as root or as a user with password-less sudo, or install them yourself."
  sudo=(sudo -n)
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q </dev/null >/dev/null || fail "apt-get update failed (see above)."
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null \
  || fail "apt-get install failed (see above)."
