#!/usr/bin/env bash
# Runs a command under its own Xvfb: the server picks a free display itself
# (-displayfd) and says which once it accepts connections, so two runs never
# race for one display number or an auth file, as `xvfb-run -a` can when a
# loaded machine is slow to start or retire a server.
#   xvfb_test.sh "-screen 0 1280x800x24" COMMAND [ARGS...]
set -euo pipefail
screen="$1"
shift
xvfb=""
dir="$(mktemp -d)"
trap 'kill "$xvfb" 2>/dev/null || true; wait "$xvfb" 2>/dev/null || true; rm -rf "$dir"' EXIT
mkfifo "$dir/fd"
# shellcheck disable=SC2086 # the screen option is words
Xvfb -displayfd 3 -nolisten tcp $screen 3>"$dir/fd" 2>"$dir/log" &
xvfb=$!
display=""
if ! read -r -t 30 display <"$dir/fd" || [ -z "$display" ]; then
  echo "xvfb_test.sh: Xvfb did not start within 30 s:" >&2
  cat "$dir/log" >&2
  exit 1
fi
DISPLAY=":$display" "$@"
