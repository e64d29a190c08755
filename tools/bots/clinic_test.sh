#!/bin/sh
# A scripted short clinic end to end: caseroom-admin makes a program, its
# roster, a session starting now with one vetted case and everyone's
# invitations; caseroom-server hosts the room from that database; the roster
# joins as caseroom-bots --script clinic (the facilitator walks the agenda on
# a fast timetable, spokes raise hands and ask, hub and spokes recommend, the
# facilitator summarises). Checks that the agenda ended in the bots' view,
# that hands, questions, recommendations and the summary went through, and
# that nothing the round sent was refused.
# usage: clinic_test.sh ROOT BIN   (ROOT: the source tree; BIN: the build folder)
set -u
root="$1"
bin="$2"
dir="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$dir/bots.log" ] && tail -n 30 "$dir/bots.log" >&2; exit 1; }
admin() { "$bin/tools/admin/caseroom-admin" --state-dir "$dir/state" "$@" >>"$dir/admin.log" 2>&1; }
mkdir -p "$dir/state" && chmod 700 "$dir/state"
admin program create --code hcv --name "Hepatitis C ECHO" --tz UTC || fail "program create: $(cat "$dir/admin.log")"
admin roster import --program hcv "$root/assets/demo/roster.csv" || fail "roster import: $(cat "$dir/admin.log")"
admin --as hub-004 schedule --program hcv --title "Weekly clinic" --first-date "$(date -u +%F)" \
  --time "$(date -u +%H:%M)" --duration 90 --weeks 1 || fail "schedule: $(cat "$dir/admin.log")"
session="$("$bin/tools/admin/caseroom-admin" --state-dir "$dir/state" --as hub-004 sessions --program hcv | awk 'NR==2 {print $1}')"
[ -n "$session" ] || fail "no session"
if admin --as spoke-101 case submit --program hcv "$root/assets/demo/case-hcv.form" --attest; then
  admin --as hub-004 case vet 1 && admin --as hub-004 case schedule 1 --session "$session" || fail "case: $(cat "$dir/admin.log")"
fi
"$bin/server/caseroom-server" --port 0 --port-file "$dir/port" --state-dir "$dir/state" >"$dir/server.log" 2>&1 &
pid=$!
i=0
while [ ! -s "$dir/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$dir/port" ] || fail "server did not start: $(cat "$dir/server.log")"
admin --as hub-004 invite --session "$session" --all --server "127.0.0.1:$(cat "$dir/port")" --out "$dir/inv" \
  || fail "invite: $(cat "$dir/admin.log")"
"$bin/tools/bots/caseroom-bots" --invitations "$dir/inv" --script clinic --phase-seconds 1.5 --duration 120 \
  --print-every 5 >"$dir/bots.log" 2>&1 || fail "caseroom-bots exited $?"
grep -q "phase 2/.*: introductions" "$dir/bots.log" || fail "the session did not start"
grep -q "phase [0-9]*/[0-9]*: didactic" "$dir/bots.log" || fail "no didactic"
grep -q "phase [0-9]*/[0-9]*: recommendations" "$dir/bots.log" || fail "no recommendations phase"
grep -q "phase [0-9]*/[0-9]*: ended" "$dir/bots.log" || fail "the agenda did not end"
line="$(grep "^clinic: the agenda ended" "$dir/bots.log")" || fail "no summary line"
n() { echo "$line" | sed -n "s/.* \([0-9]*\) $1.*/\1/p"; }
[ "$(n 'hands raised')" -gt 0 ] || fail "no hands raised: $line"
[ "$(n 'floors called')" -gt 0 ] || fail "no floor called: $line"
[ "$(n 'recommendations and')" -gt 0 ] || fail "no recommendations: $line"
grep -q "CONSENSUS" "$dir/bots.log" || fail "no consensus on the board"
grep -q "refused" "$dir/bots.log" && fail "a refusal: $(grep refused "$dir/bots.log" | head -n 3)"
kill "$pid"; wait "$pid"; pid=""
[ -n "${SHOW_LOG:-}" ] && cat "$dir/bots.log"
echo "scripted clinic: ok ($line)"
