#!/bin/sh
# .ci/run must run exactly the README's test command (the second command of "Quick start").
set -eu
top="$1"
readme_command=$(grep '^apt-get update' "$top/README.md" | sed -n 2p)
ci_command=$(grep '^apt-get update' "$top/.ci/run")
if [ "$readme_command" != "$ci_command" ]; then
  echo "README test command:  $readme_command"
  echo ".ci/run runs:         $ci_command"
  echo "1 failed"
  exit 1
fi
echo "README and .ci/run agree"
