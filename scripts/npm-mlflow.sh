#!/usr/bin/env bash
# Installs the third-party MLflow REST client from npm (the package
# `mlflow`, pinned in compat/mlflow-npm/package.json and package-lock.json)
# into compat/mlflow-npm/node_modules, which is gitignored. The
# compatibility test (compat/compat_test.go) runs this when node_modules is
# absent; run it by hand to refresh the install.
#
#   scripts/npm-mlflow.sh
set -euo pipefail
dir="$(cd "$(dirname "$0")/.." && pwd)/compat/mlflow-npm"
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "npm-mlflow.sh: $tool is not installed (Debian: apt-get install nodejs npm)" >&2; exit 1; }
done
cd "$dir"
# npm ci installs exactly the locked tree and fails if package.json and
# package-lock.json disagree.
timeout 300 npm ci --no-audit --no-fund --loglevel=error >&2
node -e 'const p = require("mlflow/package.json"); console.error(`npm-mlflow.sh: installed ${p.name}@${p.version} in ${process.cwd()}/node_modules`)'
