# Sourced by the client test scripts: starts a real caseroom-server in DIR
# with 6 bots in room 'demo' for BOT_SECONDS (more caseroom-bots options in
# $3, e.g. "--cameras 3 --share"), and defines mint() for tokens.
# Needs SERVER, BOTS, TOKEN and fail() from the caller; sets PORT, KEY,
# SERVER_PID and BOTS_PID.
start_live_room() {
  local dir="$1" botSeconds="$2" botExtra="${3:-}"
  "$SERVER" --port 0 --port-file "$dir/port" --state-dir "$dir/state" --log-level warn &
  SERVER_PID=$!
  for _ in $(seq 1 50); do [ -s "$dir/port" ] && break; sleep 0.1; done
  PORT=$(cat "$dir/port") || fail "server did not write its port"
  KEY="$dir/state/caseroom.key"
  "$BOTS" --server 127.0.0.1:$PORT --key "$KEY" --room demo --count 6 --duration "$botSeconds" $botExtra --quiet >/dev/null 2>&1 &
  BOTS_PID=$!
}
mint() { "$TOKEN" --key "$KEY" --room "$1" --name "$2" --role "$3" --user-id "$4" --out "$5" >/dev/null \
           || fail "caseroom-token could not mint $5"; }
