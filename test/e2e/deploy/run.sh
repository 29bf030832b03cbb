#!/usr/bin/env bash
# npm run test:e2e: builds (or reuses, by version) the real tools, names the engines, then
# runs the deploy suite. Each engine is an absolute path handed to the suite: OpenTofu from
# the tools cache always, and Terraform too when a terraform binary is installed (or when
# E2E_TERRAFORM names one; E2E_TERRAFORM=none skips it).
set -euo pipefail
cd "$(dirname "$0")/../../.."

echo "== deploy suite: tools (cached by version under ${CDKTF_BACKSTAGE_TOOLS:-$HOME/.cache/cdktf-backstage/tools})"
bash test/e2e/tools/build-tools.sh
# shellcheck disable=SC1091
source "${CDKTF_BACKSTAGE_TOOLS:-$HOME/.cache/cdktf-backstage/tools}/env.sh"

if [[ -z ${E2E_TERRAFORM:-} ]]; then
  # Resolved once, here, to an absolute path; the suite never searches PATH itself.
  E2E_TERRAFORM=$(command -v terraform || true)
fi
[[ ${E2E_TERRAFORM:-} == none ]] && E2E_TERRAFORM=
export E2E_TERRAFORM
echo "== engines: opentofu $TOFU${E2E_TERRAFORM:+, terraform $E2E_TERRAFORM}"

export CHECKPOINT_DISABLE=1
exec npx vitest run -c test/e2e/deploy/vitest.config.mts "$@"
