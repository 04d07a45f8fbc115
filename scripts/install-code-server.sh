#!/usr/bin/env bash
# Installs code-server (VS Code in the browser) for `npm start` and the e2e tests, using only the
# npm registry and Debian apt. Idempotent: when the wanted version is already installed and its
# native addons load, it returns in about a second.
#
#   scripts/install-code-server.sh [DIR]        DIR defaults to ./.code-server (gitignored)
#   env CS_VERSION=4.100.3   SKIP_APT=1   FORCE=1 (reinstall)
#
# Result: DIR/node_modules/.bin/code-server
#
# The only step that would leave the npm registry is @vscode/ripgrep's postinstall (it fetches a
# ripgrep build from GitHub). It looks in a download cache under os.tmpdir() first, so we put a
# tarball of Debian's rg there. Native addons compile against the local Node headers.
set -euo pipefail

CS_VERSION="${CS_VERSION:-4.100.3}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${1:-$ROOT/.code-server}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
BIN="$DIR/node_modules/.bin/code-server"
PKG="$DIR/node_modules/code-server"
# Pinned by code-server 4.100.3's lib/vscode lockfile: @vscode/ripgrep 1.15.11 -> ripgrep v13.0.0-10.
RG_PKG_VERSION=1.15.11
RG_TAG=v13.0.0-10

say() { printf '[install-code-server] %s\n' "$*" >&2; }

installed_ok() {
  [ -x "$BIN" ] || return 1
  local v
  v="$(node -p "require('$PKG/package.json').version" 2>/dev/null || true)"
  [ "$v" = "$CS_VERSION" ] || return 1
  [ -x "$PKG/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ] || return 1
  ( cd "$PKG/lib/vscode" && node -e 'for (const m of ["node-pty","@vscode/spdlog","@parcel/watcher"]) require(m)' ) 2>/dev/null || return 1
}

if [ "${FORCE:-0}" != 1 ] && installed_ok; then
  say "code-server $CS_VERSION already installed in $DIR"
  exit 0
fi

# 1. System packages: Debian's ripgrep stands in for the GitHub download; libkrb5-dev has the gssapi
#    headers the kerberos addon needs; the rest is the node-gyp toolchain.
if [ "${SKIP_APT:-0}" != 1 ]; then
  need=()
  for p in ripgrep libkrb5-dev python3 make g++; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
  done
  if [ "${#need[@]}" -gt 0 ]; then
    say "apt-get install ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
fi
command -v rg >/dev/null || { say "ripgrep (rg) is missing"; exit 2; }

major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$major" = 20 ] || { say "code-server $CS_VERSION needs Node 20, found $(node -v)"; exit 2; }

# Local Node headers for node-gyp (nodejs.org is not reachable).
if [ -z "${npm_config_nodedir:-}" ] && ! npm config get nodedir 2>/dev/null | grep -qv '^undefined$'; then
  prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
  [ -f "$prefix/include/node/node.h" ] && export npm_config_nodedir="$prefix"
fi

# 2. Seed the ripgrep download cache.
cache="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-$RG_PKG_VERSION"
mkdir -p "$cache"
tar -czf "$cache/ripgrep-$RG_TAG-x86_64-unknown-linux-musl.tar.gz" -C "$(dirname "$(readlink -f "$(command -v rg)")")" rg

# 3. Install inside DIR with its own package.json so npm does not walk up to the project.
cd "$DIR"
[ -f package.json ] || printf '{ "name": "code-server-host", "private": true }\n' > package.json
say "npm install code-server@$CS_VERSION (compiles native addons; ~2 min on 2 cores)"
# As root the postinstall needs unsafe_perm (as an env var; the CLI flag confuses npm 11);
# yes=true lets node-pty's `npx node-gyp` run without a prompt.
npm_config_unsafe_perm=true npm_config_yes=true npm install --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION"

# 4. Check.
installed_ok || { say "install finished but code-server does not load"; exit 1; }
XDG_CONFIG_HOME="$DIR/.config" "$BIN" --version >&2
say "done: $BIN"
