#!/usr/bin/env bash
# Installs a built herald into PREFIX (default /opt/herald): PREFIX/bin/herald (and
# bin/fakeprobe when built), PREFIX/sql, templates, locale, assets (with assets/vendor), conf.
# Run `make` first. Used by the Dockerfile and for bare-metal installs (deploy/herald.service
# expects /opt/herald); a later install over an earlier one replaces its files.
#   scripts/install.sh [PREFIX]
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:-/opt/herald}

[[ -x build/herald ]] || { echo "install.sh: build/herald is missing; run make" >&2; exit 1; }
[[ -f assets/vendor/htmx.min.js ]] || { echo "install.sh: assets/vendor is missing; run make" >&2; exit 1; }
install -d "$prefix/bin"
install -m 755 build/herald "$prefix/bin/herald"
[[ -x build/fakeprobe ]] && install -m 755 build/fakeprobe "$prefix/bin/fakeprobe"
for d in sql templates locale assets conf; do
  [[ -d $d ]] || continue
  rm -rf "${prefix:?}/$d.new"
  cp -R "$d" "$prefix/$d.new"
  rm -rf "${prefix:?}/$d"
  mv "$prefix/$d.new" "$prefix/$d"
done
echo "install.sh: installed herald into $prefix"
