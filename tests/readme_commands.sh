#!/bin/sh
# .ci/run must run exactly the README's test command (the second command of "Quick start"), and every
# script a README tells the reader to run (a line starting with tools/, tests/ or bench/) is executable.
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
for path in $(cat "$top/README.md" "$top"/chapters/*/README.md | grep -o '^\(tools\|tests\|bench\)/[^ ]*\.\(sh\|py\)' | sort -u); do
  if [ ! -x "$top/$path" ]; then
    echo "a README runs $path, which is not executable (git update-index --chmod=+x $path)"
    echo "1 failed"
    exit 1
  fi
done
echo "README and .ci/run agree; the scripts the READMEs run are executable"
