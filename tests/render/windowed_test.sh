#!/bin/sh
# The windowed client under Xvfb: opens a window (swapchain on lavapipe),
# renders frames, is resized three times (swapchain recreation) and quits
# cleanly with exit code 0 and no validation messages. When the server and
# bots are built, it also joins a real room with bots in it and must print
# the line the client prints on reaching the room.
# usage: windowed_test.sh CASEROOM OUT_DIR [SERVER BOTS TOKEN_TOOL]
set -u
CASEROOM=$1
OUT=$2
SERVER=${3:-}
BOTS=${4:-}
TOKEN=${5:-}
mkdir -p "$OUT"
fail() { echo "FAIL: $*" >&2; exit 1; }
DIR=$(mktemp -d)
SERVER_PID=""
BOTS_PID=""
trap 'kill $BOTS_PID $SERVER_PID 2>/dev/null; wait 2>/dev/null; rm -rf "$DIR"' EXIT

# 1. Join screen only: frames, resizes, clean quit.
xvfb-run -a -s "-screen 0 1600x1000x24" "$CASEROOM" --frames 120 --resize-test --validation \
    --config-dir "$DIR/cfg" >"$DIR/log" 2>&1
rc=$?
cat "$DIR/log"
[ $rc -eq 0 ] || fail "windowed client (join screen) exited $rc"
grep -q "swapchain rebuilds" "$DIR/log" || fail "no frame summary"

# 2. Joined to a real server with bots.
if [ -n "$SERVER" ] && [ -n "$BOTS" ] && [ -n "$TOKEN" ]; then
  . "$(dirname "$0")/live_server.sh"
  start_live_room "$DIR" 40
  sleep 1
  mint demo "Dr. Window" facilitator 9003 "$DIR/window.token"
  xvfb-run -a -s "-screen 0 1600x1000x24" "$CASEROOM" --connect 127.0.0.1:$PORT --token-file "$DIR/window.token" \
      --join --frames 200 --resize-test --validation --config-dir "$DIR/cfg" >"$DIR/log2" 2>&1
  rc=$?
  cat "$DIR/log2"
  [ $rc -eq 0 ] || fail "windowed client (joined) exited $rc"
  # The client prints this line when its session reaches InRoom (client/app.cpp):
  # without it the client never joined, whatever its exit code.
  grep -q "^caseroom: joined as Dr. Window (facilitator) in room demo" "$DIR/log2" || fail "the client never joined the room"
  grep -q "could not join\|left the room" "$DIR/log2" && fail "the client did not stay in the room"
  grep -q "^server = 127.0.0.1:$PORT" "$DIR/cfg/client.conf" || fail "join settings were not remembered"
fi
echo "windowed client: ok"
