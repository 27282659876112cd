#!/bin/sh
# tools/install-packages.sh PACKAGE...: installs the Debian packages of the list that
# are missing (apt-get update first, only then). Used by setup.sh and fuzz.sh.
set -eu
missing=""
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -n "$missing" ] || exit 0
echo "installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q $missing
