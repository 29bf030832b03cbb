#!/usr/bin/env bash
# npm run test:e2e: installs the suite's own npm package (the cdktf CLI, setup.sh), builds (or
# reuses, by version) the real tools, names the engines, then runs the deploy suite. Each
# engine is an absolute path handed to the suite: OpenTofu from the tools cache always, and
# Terraform too when a terraform binary is installed (or when TERRAFORM names one;
# TERRAFORM=none skips it).
set -euo pipefail
cd "$(dirname "$0")/../../.."

echo "== deploy suite: npm packages (bash test/e2e/deploy/setup.sh: the cdktf CLI, its own lock file)"
bash test/e2e/deploy/setup.sh

echo "== deploy suite: tools (cached by version under ${CDKTF_BACKSTAGE_TOOLS:-$HOME/.cache/cdktf-backstage/tools})"
bash test/e2e/tools/build-tools.sh
# shellcheck disable=SC1091
source "${CDKTF_BACKSTAGE_TOOLS:-$HOME/.cache/cdktf-backstage/tools}/env.sh"

if [[ -z ${TERRAFORM:-} ]]; then
  # Resolved once, here, to an absolute path; the suite never searches PATH itself.
  TERRAFORM=$(command -v terraform || true)
fi
[[ ${TERRAFORM:-} == none ]] && TERRAFORM=
export TERRAFORM
echo "== engines: opentofu $TOFU${TERRAFORM:+, terraform $TERRAFORM}"

export CHECKPOINT_DISABLE=1
exec npx vitest run -c test/e2e/deploy/vitest.config.mts "$@"
