#!/bin/sh
# caseroom --headless end to end: help, bad options, built-in scenes with the
# validation layer, and (when the server and bots are built) joining a real
# server over loopback and rendering the room it sends.
# usage: headless_test.sh CASEROOM OUT_DIR [SERVER BOTS TOKEN_TOOL]
set -u
CASEROOM=$1
OUT=$2
SERVER=${3:-}
BOTS=${4:-}
TOKEN=${5:-}
mkdir -p "$OUT"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$CASEROOM" --help | grep -q -- "--headless" || fail "--help does not describe --headless"
"$CASEROOM" --headless --camera sideways >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad --camera should exit 2"
"$CASEROOM" --frobnicate >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown option should exit 2"

for cam in seat overview; do
  rm -f "$OUT/headless_$cam.png"
  "$CASEROOM" --headless --frames 3 --camera $cam --avatars 20 --size 640x360 --validation \
      --screenshot "$OUT/headless_$cam.png" || fail "headless $cam exited $?"
  head -c 8 "$OUT/headless_$cam.png" | od -An -c | grep -q "P   N   G" || fail "headless_$cam.png is not a PNG"
done
"$CASEROOM" --headless --screenshot /nonexistent-dir/x.png >/dev/null 2>&1 && fail "unwritable screenshot path should fail"

if [ -n "$SERVER" ] && [ -n "$BOTS" ] && [ -n "$TOKEN" ]; then
  DIR=$(mktemp -d)
  trap 'kill $BOTS_PID $SERVER_PID 2>/dev/null; wait 2>/dev/null; rm -rf "$DIR"' EXIT
  . "$(dirname "$0")/live_server.sh"
  # Three test-pattern cameras (the facilitator's, two spokes') and the facilitator's shared screen.
  start_live_room "$DIR" 30 "--cameras 3 --share"
  sleep 1.5
  mint demo "Dr. Headless" specialist 9001 "$DIR/headless.token"
  mint no-such-room "Lost Person" spoke 9002 "$DIR/lost.token"
  "$CASEROOM" --headless --connect 127.0.0.1:$PORT --token-file "$DIR/headless.token" --frames 40 --camera overview --ui \
      --size 640x360 --validation --screenshot "$OUT/headless_joined.png" >"$DIR/log" 2>&1 \
      || { cat "$DIR/log"; fail "headless join exited $?"; }
  grep -q "joined room 'demo'" "$DIR/log" || { cat "$DIR/log"; fail "no join line"; }
  # Live video: every stream placed shows its picture (the facilitator's share on the right
  # front panel, their camera, as the presenter's, on the other; the spokes' in the tile strip),
  # and the log says where.
  "$CASEROOM" --headless --connect 127.0.0.1:$PORT --token-file "$DIR/headless.token" --frames 5 --wait-video 25 --ui \
      --camera overview --size 640x360 --validation --screenshot "$OUT/headless_video.png" >"$DIR/log6" 2>&1 \
      || { cat "$DIR/log6"; fail "--wait-video exited $?"; }
  grep -q "^video: 4 streams in the room, 4 placed, 4 showing a picture" "$DIR/log6" || { cat "$DIR/log6"; fail "not every stream showed a picture"; }
  grep -q "front panel 1 (screen)" "$DIR/log6" || { cat "$DIR/log6"; fail "the share is not on the free front panel"; }
  grep -q "front panel 0," "$DIR/log6" || { cat "$DIR/log6"; fail "the presenter's camera is not on the front wall"; }
  grep -q "tile 1" "$DIR/log6" || { cat "$DIR/log6"; fail "the spokes' cameras are not in the tiles"; }
  # Slides: --wait-slides renders until the room's decks are on screen (none
  # shown here: it returns at once); --prefetch fetches every offered deck.
  export XDG_CACHE_HOME="$DIR/cache"
  "$CASEROOM" --headless --connect 127.0.0.1:$PORT --token-file "$DIR/headless.token" --frames 5 --wait-slides 20 \
      --size 320x180 >"$DIR/log4" 2>&1 || { cat "$DIR/log4"; fail "--wait-slides exited $?"; }
  grep -q "^slides: .* panels show a deck" "$DIR/log4" || { cat "$DIR/log4"; fail "no slides line"; }
  "$CASEROOM" --prefetch --connect 127.0.0.1:$PORT --token-file "$DIR/headless.token" >"$DIR/log5" 2>&1 \
      || { cat "$DIR/log5"; fail "--prefetch exited $?"; }
  grep -q "^prefetch: " "$DIR/log5" || { cat "$DIR/log5"; fail "no prefetch line"; }
  "$CASEROOM" --prefetch >/dev/null 2>&1; [ $? -eq 2 ] || fail "--prefetch without --connect should exit 2"
  "$CASEROOM" --headless --connect 127.0.0.1:$PORT --frames 2 >"$DIR/log3" 2>&1
  [ $? -eq 4 ] || { cat "$DIR/log3"; fail "joining without a token should exit 4"; }
  grep -q "connect token is needed" "$DIR/log3" || { cat "$DIR/log3"; fail "unclear message without a token"; }
  "$CASEROOM" --headless --connect 127.0.0.1:$PORT --token-file "$DIR/lost.token" --frames 2 >"$DIR/log2" 2>&1
  [ $? -eq 4 ] || { cat "$DIR/log2"; fail "joining an unknown room should exit 4"; }
  grep -q "could not join room 'no-such-room'" "$DIR/log2" || { cat "$DIR/log2"; fail "unclear refusal message"; }
fi
echo "headless client: ok"
