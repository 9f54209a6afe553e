#!/usr/bin/env bash
# Regenerate the pinned, hashed requirement files from requirements/*.in with pip-tools.
#
#   requirements/lock.sh              # after editing a .in: pin what changed, keep the rest
#   requirements/lock.sh --upgrade    # move every pin to the newest version the .in files allow
#   requirements/lock.sh --upgrade-package numpy    # move one package (and what it needs)
#
# dev.txt is compiled first and holds everything; each service file is then compiled with
# dev.txt as a constraint, so api, worker and formatter images and the dev venv all run the
# very same versions. Index and find-links options are not written into the files: they belong
# to the machine that compiles (pip.conf), not to the images that install.
set -euo pipefail
cd "$(dirname "$0")/.."
# (Not named PIP_*: pip reads every PIP_* variable as one of its own options.)
pip_compile=${LOCK_PIP_COMPILE:-.venv/bin/pip-compile}
common=(--quiet --allow-unsafe --generate-hashes --strip-extras --no-emit-index-url
        --no-emit-find-links)

"$pip_compile" "${common[@]}" "$@" --output-file=requirements/dev.txt requirements/dev.in
for service in api worker formatter; do
  "$pip_compile" "${common[@]}" --constraint=requirements/dev.txt \
    --output-file="requirements/$service.txt" "requirements/$service.in"
done
