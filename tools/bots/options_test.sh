#!/bin/sh
# caseroom-server and caseroom-bots as a first user meets them: --help, bad
# option values refused with exit 2 and a message naming the option and the
# value, and the server's state directory chosen from XDG_STATE_HOME, created
# 0700, printed with the key path.
# usage: options_test.sh PATH/TO/caseroom-server PATH/TO/caseroom-bots
set -u
server="$1"
bots="$2"
dir="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# refuses TOOL 'ARGS' 'EXPECTED MESSAGE'
refuses() {
  tool="$1"; args="$2"; want="$3"
  # shellcheck disable=SC2086
  "$tool" $args >"$dir/out" 2>"$dir/err"
  rc=$?
  [ "$rc" -eq 2 ] || fail "$(basename "$tool") $args: exit $rc, expected 2"
  grep -qF -- "$want" "$dir/err" || fail "$(basename "$tool") $args: stderr lacks '$want': $(cat "$dir/err")"
}

"$bots" --help | grep -q -- "--count N" || fail "bots --help does not document --count"
"$server" --help | grep -q -- "--state-dir" || fail "server --help does not document --state-dir"
refuses "$bots" "--count 0" "--count: '0' is not a whole number from 1 to 1000"
refuses "$bots" "--count 1001" "--count: '1001'"
refuses "$bots" "--count 6x" "--count: '6x'"
refuses "$bots" "--duration 5s" "--duration: '5s' is not a number"
refuses "$bots" "--duration abc" "--duration: 'abc' is not a number"
refuses "$bots" "--wanderers 1.5" "--wanderers: '1.5'"
refuses "$bots" "--seed -3" "--seed: '-3'"
refuses "$bots" "--print-every 0" "--print-every: '0'"
refuses "$bots" "--server :7777" "--server: ':7777' is not HOST:PORT"
refuses "$bots" "--server host:0" "port '0' must be a number from 1 to 65535"
refuses "$bots" "--count" "--count needs a value"
refuses "$bots" "--bogus 1" "unknown option '--bogus'"
"$bots" --help | grep -q -- "--script clinic" || fail "bots --help does not document --script clinic"
refuses "$bots" "--script lecture" "--script: 'lecture' is not a script (clinic)"
refuses "$bots" "--churn 30,10" "--churn: MAX is below MIN"
refuses "$bots" "--churn x,10" "--churn: 'x'"
refuses "$bots" "--rooms 0" "--rooms: '0'"
refuses "$bots" "--phase-seconds 0.1" "--phase-seconds: '0.1'"
refuses "$bots" "--start-with 0" "--start-with: '0'"
refuses "$bots" "--invitations $dir --key $dir/k" "or --invitation FILE / --invitations DIR"
"$bots" --invitations "$dir" >"$dir/out" 2>"$dir/err"; [ $? -eq 1 ] || fail "bots --invitations of an empty folder did not fail"
grep -qF "no .caseroom files in it" "$dir/err" || fail "empty --invitations folder: $(cat "$dir/err")"
refuses "$server" "--port 70000" "--port: '70000' is not a whole number from 0 to 65535"
refuses "$server" "--max-peers 5000" "--max-peers: '5000' is not a whole number from 1 to 4095"
refuses "$server" "--tick-rate 30hz" "--tick-rate: '30hz'"
refuses "$server" "--stats-every 0" "--stats-every: '0'"
refuses "$server" "--threads 0" "--threads: '0'"
refuses "$server" "--handshake-rate 0" "--handshake-rate: '0'"
refuses "$server" "--log-level loud" "--log-level: 'loud' is not a log level"

# A mistyped --key is an error, never a new deployment key (audit F-15).
"$server" --port 0 --key "$dir/typo.key" --state-dir "$dir/typo-state" >"$dir/out" 2>"$dir/err"
[ $? -eq 1 ] || fail "server with a missing --key did not fail"
grep -qF -- "--create-key" "$dir/err" || fail "missing --key error does not name --create-key: $(cat "$dir/err")"
[ ! -e "$dir/typo.key" ] || fail "a missing --key was created"

# The default state directory: $XDG_STATE_HOME/caseroom, private, announced.
# The measured stats line goes to --stats-file as key=value pairs.
XDG_STATE_HOME="$dir/xdg" "$server" --port 0 --port-file "$dir/port" --log-level info \
  --stats-every 0.5 --stats-file "$dir/stats" >"$dir/server.log" 2>&1 &
pid=$!
i=0
while [ ! -s "$dir/stats" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$dir/port" ] || fail "server did not start: $(cat "$dir/server.log")"
kill "$pid"; wait "$pid"; pid=""
for key in unix_ms window_s clients ticks tick_median_ms tick_p99_ms tick_max_ms sent_kbps_per_client state_kbps_per_client; do
  grep -q " $key=[0-9]\|^$key=[0-9]" "$dir/stats" || fail "stats line lacks $key: $(cat "$dir/stats")"
done
grep -q "\[info\] stats over " "$dir/server.log" || fail "no stats line in the log"
[ "$(stat -c %a "$dir/xdg/caseroom")" = "700" ] || fail "state directory is not mode 700"
[ -f "$dir/xdg/caseroom/caseroom.key" ] || fail "no key in the XDG state directory"
grep -q "state directory $dir/xdg/caseroom" "$dir/server.log" || fail "state directory not printed"
grep -q "key $dir/xdg/caseroom/caseroom.key" "$dir/server.log" || fail "key path not printed"
grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z \[info\] ' "$dir/server.log" || fail "log lines are not UTC-stamped"
# Joins, leaves and refusals are logged at info: a room for one, two bots.
printf '[room demo]\nmax_participants = 1\n' >"$dir/one.rooms"
rm -f "$dir/port"
"$server" --port 0 --port-file "$dir/port" --state-dir "$dir/state" --config "$dir/one.rooms" >"$dir/server2.log" 2>&1 &
pid=$!
i=0
while [ ! -s "$dir/port" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$dir/port" ] || fail "server did not start: $(cat "$dir/server2.log")"
"$bots" --server "127.0.0.1:$(cat "$dir/port")" --key "$dir/state/caseroom.key" --count 2 --duration 2 --quiet >"$dir/bots.log" 2>&1
sleep 0.5
kill "$pid"; wait "$pid"; pid=""
grep -q "\[info\] joined room 'demo': Bot 1 (facilitator, user [0-9]*)" "$dir/server2.log" || fail "no join line: $(cat "$dir/server2.log")"
grep -q "\[info\] refused room 'demo': Bot 2 (user [0-9]*): the room is full" "$dir/server2.log" || fail "no refusal line: $(cat "$dir/server2.log")"
grep -q "\[info\] left room 'demo': Bot 1 (user [0-9]*): left" "$dir/server2.log" || fail "no leave line: $(cat "$dir/server2.log")"
echo "server and bots options: ok"
