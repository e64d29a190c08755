#!/bin/sh
# caseroom-token end to end: --help, minting (key created 0600 only with
# --create-key), --inspect with the key, refusal of a missing or too-open key
# file, a future --now refused as not-yet-valid, revoke, and usage errors.
# usage: token_tool_test.sh PATH/TO/caseroom-token
set -eu
tool="$1"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$tool" --help | grep -q -- "--user-id" || fail "--help does not document --user-id"
"$tool" --help | grep -q -- "--create-key" || fail "--help does not document --create-key"
"$tool" --help | grep -q -- "--revocations" || fail "--help does not document revoke"
if "$tool" --key "$dir/key" --room demo --name "Dr Test" --role facilitator --user-id 12 --out "$dir/t.token" \
    >/dev/null 2>"$dir/err"; then
  fail "a missing key file was created without --create-key"
fi
[ ! -e "$dir/key" ] || fail "a key file appeared without --create-key"
grep -q -- "--create-key" "$dir/err" || fail "the missing-key error does not name --create-key"
"$tool" --key "$dir/key" --create-key --room demo --name "Dr Test" --role facilitator --user-id 12 --expires 600 \
  --out "$dir/t.token" >"$dir/mint" 2>/dev/null || fail "mint failed"
grep -Eq "token id [0-9a-f]{16}, key id [0-9a-f]{8}" "$dir/mint" || fail "minting does not print token id and key id"
tokid="$(sed -n 's/.*token id \([0-9a-f]*\),.*/\1/p' "$dir/mint")"
[ "$(stat -c %a "$dir/key")" = "600" ] || fail "key file mode is not 600"
[ "$(stat -c %a "$dir/t.token")" = "600" ] || fail "token file mode is not 600"
"$tool" --inspect "$dir/t.token" --key "$dir/key" | grep -q "check: *ok" || fail "inspect with key did not verify"
"$tool" --inspect "$dir/t.token" | grep -q "role: *facilitator" || fail "inspect does not show the role"
"$tool" --inspect "$dir/t.token" | grep -q "key id: *[0-9a-f]\{8\}" || fail "inspect does not show the key id"
"$tool" --inspect "$dir/t.token" | grep -q "not before:" || fail "inspect does not show not-before"
"$tool" --inspect "$dir/t.token" | grep -q "token id: *$tokid" || fail "inspect and mint disagree on the token id"
if "$tool" --inspect "$dir/t.token" --key "$dir/key" --now 99999999999 >/dev/null; then fail "expired token verified"; fi
# --now in the future mints, but a server (here: --inspect --key at the real time) refuses it.
"$tool" --key "$dir/key" --room demo --name x --role spoke --user-id 3 --now 4102444800 --expires 31622400 \
  --out "$dir/future.token" >/dev/null || fail "mint with --now failed"
if "$tool" --inspect "$dir/future.token" --key "$dir/key" >"$dir/out"; then fail "a future-created token verified"; fi
grep -q "not-yet-valid" "$dir/out" || fail "a future-created token was not refused as not-yet-valid"
# revoke
"$tool" revoke --revocations "$dir/revoked" --token-id "$tokid" --reason "lost laptop" >"$dir/out" || fail "revoke failed"
grep -q "revoked token $tokid" "$dir/out" || fail "revoke does not say what it revoked"
"$tool" revoke --revocations "$dir/revoked" --user-id 12 >/dev/null || fail "revoke by user failed"
[ "$(stat -c %a "$dir/revoked")" = "600" ] || fail "revocation file mode is not 600"
grep -q "^token $tokid # lost laptop$" "$dir/revoked" || fail "revocation line missing"
grep -q "^user 12$" "$dir/revoked" || fail "user revocation line missing"
ln -s "$dir/revoked" "$dir/link"
if "$tool" revoke --revocations "$dir/link" --user-id 1 2>/dev/null; then fail "revoke followed a symbolic link"; fi
set +e
"$tool" revoke --revocations "$dir/revoked" >/dev/null 2>&1; [ $? -eq 2 ] || fail "revoke without an id should exit 2"
"$tool" revoke --revocations "$dir/revoked" --token-id xyz >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad token id should exit 2"
set -e
chmod 644 "$dir/key"
if "$tool" --key "$dir/key" --room demo --name x --role spoke --user-id 1 --out "$dir/u" 2>"$dir/err"; then
  fail "a 0644 key file was accepted"
fi
grep -q "chmod 600" "$dir/err" || fail "no fix named for a too-open key file"
chmod 644 "$dir/t.token"
if "$tool" --inspect "$dir/t.token" 2>"$dir/err"; then fail "a 0644 token file was read"; fi
grep -q "chmod 600" "$dir/err" || fail "no fix named for a too-open token file"
set +e
"$tool" --room demo >/dev/null 2>&1; [ $? -eq 2 ] || fail "missing options should exit 2"
"$tool" --key "$dir/key2" --room demo --name x --role boss --user-id 1 --out "$dir/v" >/dev/null 2>&1
[ $? -eq 2 ] || fail "unknown role should exit 2"
echo "caseroom-token: ok"
