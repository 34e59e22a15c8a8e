#!/usr/bin/env bash
# bench/ml/setup.sh — install the scikit-learn / xgboost peers from Debian.
#
# Idempotent and quiet: installs python3-sklearn, python3-xgboost and
# python3-pandas (plus python3-pyarrow when the Debian archive has it) only if
# they are missing, then checks that /usr/bin/python3 can import them and
# prints the versions.  The peers only import under /usr/bin/python3 (the
# Debian interpreter); a `python3` earlier on PATH (pyenv etc.) cannot see them.
set -euo pipefail

PY=/usr/bin/python3
PKGS=(python3-sklearn python3-xgboost python3-pandas)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# pyarrow is not packaged in every Debian release (not in bookworm); include it
# only when apt knows a candidate for it.  Without it the data stays CSV-only.
have_candidate() {
    local c
    c=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
    [ -n "$c" ] && [ "$c" != "(none)" ]
}

missing=()
for p in "${PKGS[@]}" python3-pyarrow; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -gt 0 ]; then
    # Refresh the package lists once if apt does not know the packages yet.
    if ! have_candidate python3-sklearn; then
        $SUDO apt-get update -qq >/dev/null
    fi
    want=()
    for p in "${missing[@]}"; do
        if [ "$p" = python3-pyarrow ] && ! have_candidate python3-pyarrow; then
            echo "setup: python3-pyarrow not in the Debian archive; data will be CSV only" >&2
            continue
        fi
        want+=("$p")
    done
    if [ ${#want[@]} -gt 0 ]; then
        echo "setup: installing ${want[*]}" >&2
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
    fi
fi

$PY -c 'import sklearn, xgboost, pandas' || {
    echo "setup: $PY cannot import sklearn, xgboost, pandas" >&2
    exit 1
}
$PY - <<'PYEOF'
import sys, sklearn, xgboost, pandas, numpy
try:
    import pyarrow
    pa = pyarrow.__version__
except ImportError:
    pa = "absent (CSV only)"
print(f"python   {sys.version.split()[0]} ({sys.executable})")
print(f"sklearn  {sklearn.__version__}")
print(f"xgboost  {xgboost.__version__}")
print(f"pandas   {pandas.__version__}")
print(f"numpy    {numpy.__version__}")
print(f"pyarrow  {pa}")
PYEOF
