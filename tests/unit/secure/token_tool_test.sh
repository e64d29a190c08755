#!/bin/sh
# caseroom-token end to end: --help, minting (key created 0600), --inspect with
# the key, refusal of a key file that is too open, and usage errors.
# usage: token_tool_test.sh PATH/TO/caseroom-token
set -eu
tool="$1"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$tool" --help | grep -q -- "--user-id" || fail "--help does not document --user-id"
"$tool" --key "$dir/key" --room demo --name "Dr Test" --role facilitator --user-id 12 --expires 600 \
  --out "$dir/t.token" >/dev/null 2>&1 || fail "mint failed"
[ "$(stat -c %a "$dir/key")" = "600" ] || fail "key file mode is not 600"
[ "$(stat -c %a "$dir/t.token")" = "600" ] || fail "token file mode is not 600"
"$tool" --inspect "$dir/t.token" --key "$dir/key" | grep -q "check: *ok" || fail "inspect with key did not verify"
"$tool" --inspect "$dir/t.token" | grep -q "role: *facilitator" || fail "inspect does not show the role"
if "$tool" --inspect "$dir/t.token" --key "$dir/key" --now 99999999999 >/dev/null; then fail "expired token verified"; fi
chmod 644 "$dir/key"
if "$tool" --key "$dir/key" --room demo --name x --role spoke --user-id 1 --out "$dir/u" 2>"$dir/err"; then
  fail "a 0644 key file was accepted"
fi
grep -q "chmod 600" "$dir/err" || fail "no fix named for a too-open key file"
set +e
"$tool" --room demo >/dev/null 2>&1; [ $? -eq 2 ] || fail "missing options should exit 2"
"$tool" --key "$dir/key2" --room demo --name x --role boss --user-id 1 --out "$dir/v" >/dev/null 2>&1
[ $? -eq 2 ] || fail "unknown role should exit 2"
echo "caseroom-token: ok"
