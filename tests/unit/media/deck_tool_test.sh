#!/bin/sh
# caseroom-deck end to end: --help; build refuses an identified DICOM naming
# file and tag (never the value) and writes no deck; --scrub builds; no blob
# holds a value; burned-in unknown (US) refused, --burned-in-ok accepts;
# photos and a 3-page PDF; inspect; verify passes, then catches a damaged
# and a missing blob naming them; scrub writes a file that builds without
# --scrub; usage errors exit 2.
# usage: deck_tool_test.sh PATH/TO/caseroom-deck PATH/TO/caseroom_deck_fixtures
set -eu
tool="$1"
fixtures="$2"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
"$fixtures" "$dir" || fail "fixtures"
in="$dir"

"$tool" --help | grep -q -- "--burned-in-ok" || fail "--help does not document --burned-in-ok"
set +e
"$tool" build "$in/ct.dcm" --out "$dir/d1" >"$dir/out" 2>&1; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "an identified DICOM should exit 1, got $rc"
grep -q "ct.dcm: (0010,0010) PatientName: PN, 8 bytes" "$dir/out" || fail "refusal does not name file, tag and kind"
grep -q "(0009,1001) private tag" "$dir/out" || fail "refusal does not list the private tag"
if grep -q "DOE^JANE\|MRN-4471\|St Elsewhere" "$dir/out"; then fail "the report prints a value"; fi
[ ! -e "$dir/d1/deck" ] || fail "a refused build wrote a deck"

"$tool" build "$in/ct.dcm" "$in/photo.png" "$in/talk.pdf" "$in/photo.jpg" --out "$dir/d" --scrub --title "Week 3" \
  --caption photo.jpg="Lab table" >"$dir/out" || fail "scrubbed build failed: $(cat "$dir/out")"
grep -q "scrubbed (not in the deck): .*PatientName" "$dir/out" || fail "scrub report missing"
grep -q "removed tEXt" "$dir/out" || fail "PNG strip not reported"
grep -q "removed APP1 Exif" "$dir/out" || fail "JPEG strip not reported"
grep -q "Info keys \[Author, Title\]" "$dir/out" || fail "PDF metadata keys not reported"
grep -Eq "^[0-9a-f]{64}$" "$dir/d/deck" || fail "DIR/deck is not one manifest hash"
if grep -rq "DOE^JANE\|MRN-4471\|St Elsewhere\|ACME-PRIVATE\|Secret\|ct\.dcm\|photo\.png\|photo\.jpg\|talk\.pdf" "$dir/d/blobs"; then
  fail "a blob holds an identifying value or a file name"
fi
"$tool" inspect "$dir/d" >"$dir/out" || fail "inspect failed"
grep -q "title: Week 3" "$dir/out" || fail "inspect: no title"
grep -q "slides: 6" "$dir/out" || fail "inspect: expected 6 slides"
grep -q "slide 1: dicom 16x12, 16-bit MONOCHROME2 signed, 1 frame, rescale 1 x + -1024, window 40/400" "$dir/out" \
  || fail "inspect: DICOM slide line: $(grep 'slide 1' "$dir/out")"
grep -q "slide 3: pdf-page 2048x1024" "$dir/out" || fail "inspect: PDF page at 2048 px"
grep -q "caption: Lab table" "$dir/out" || fail "inspect: caption"
hash="$(cat "$dir/d/deck")"
"$tool" inspect "$hash" --blobs "$dir/d/blobs" | grep -q "title: Week 3" || fail "inspect by hash"
"$tool" verify "$dir/d" | grep -q "ok, 6 slides, 6 frames verified" || fail "verify of a good deck"

# A damaged blob, then a missing one.
frame="$(find "$dir/d/blobs" -type f ! -name "$hash" | head -n 1)"
name="$(basename "$frame")"
cp "$frame" "$dir/saved"
chmod u+w "$frame"
printf 'X' >>"$frame"
set +e
"$tool" verify "$dir/d" >"$dir/out" 2>&1; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "verify of a damaged blob should exit 1"
grep -q "$name" "$dir/out" || fail "verify does not name the damaged blob"
rm -f "$frame"
set +e
"$tool" verify "$dir/d" >"$dir/out" 2>&1; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "verify of a missing blob should exit 1"
grep -q "missing.*$name" "$dir/out" || fail "verify does not name the missing blob"

# Burned-in unknown on ultrasound.
set +e
"$tool" build "$in/us.dcm" --out "$dir/u" --scrub >"$dir/out" 2>&1; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "US without Burned In Annotation should be refused"
grep -q "absent on a US image" "$dir/out" || fail "burned-in refusal reason"
"$tool" build "$in/us.dcm" --out "$dir/u" --scrub --burned-in-ok "checked: no text" >"$dir/out" || fail "override"
grep -q "checked: no text" "$dir/out" || fail "the override reason is not in the report"

# scrub IN OUT: the output builds without --scrub and keeps no value.
"$tool" scrub "$in/ct.dcm" "$dir/clean.dcm" >"$dir/out" || fail "scrub failed"
grep -q "(0010,0010) PatientName (Z): emptied" "$dir/out" || fail "scrub does not say what it did"
if grep -q "DOE^JANE\|MRN-4471\|St Elsewhere\|ACME-PRIVATE" "$dir/clean.dcm"; then fail "scrubbed file keeps a value"; fi
"$tool" build "$dir/clean.dcm" --out "$dir/c" >"$dir/out" || fail "a scrubbed file is refused: $(cat "$dir/out")"

set +e
"$tool" build "$in/ct.dcm" >/dev/null 2>&1; [ $? -eq 2 ] || fail "build without --out should exit 2"
"$tool" build --out "$dir/x" --pdf-width 0 "$in/talk.pdf" >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad --pdf-width should exit 2"
"$tool" frobnicate >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown command should exit 2"
set -e
echo "caseroom-deck: ok"
