#!/bin/sh
# The desktop entry and MIME type in assets/desktop: a desktop opens
# .caseroom files and caseroom:// links with `caseroom %u`. Checks the entry
# (desktop-file-validate when installed: Debian's desktop-file-utils, not a
# build dependency) and that shared-mime-info accepts the type: a private
# update-mime-database run must map *.caseroom and the "caseroom://" magic.
# usage: desktop_test.sh ASSETS_DESKTOP_DIR
set -u
SRC=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
ENTRY="$SRC/caseroom.desktop"
MIME="$SRC/caseroom-invitation.xml"

grep -qx "Exec=caseroom %u" "$ENTRY" || fail "Exec is not 'caseroom %u'"
grep -qx "MimeType=application/x-caseroom-invitation;x-scheme-handler/caseroom;" "$ENTRY" || fail "MimeType line"
grep -qx "Type=Application" "$ENTRY" || fail "Type=Application missing"
if command -v desktop-file-validate >/dev/null 2>&1; then
  desktop-file-validate "$ENTRY" || fail "desktop-file-validate refused $ENTRY"
else
  echo "desktop-file-validate not installed (desktop-file-utils): skipped"
fi

if command -v xmllint >/dev/null 2>&1; then
  xmllint --noout "$MIME" || fail "$MIME is not well-formed XML"
fi
if command -v update-mime-database >/dev/null 2>&1; then
  mkdir -p "$DIR/mime/packages"
  cp "$MIME" "$DIR/mime/packages/"
  XDG_DATA_HOME="$DIR" update-mime-database "$DIR/mime" >"$DIR/log" 2>&1 || { cat "$DIR/log"; fail "update-mime-database refused $MIME"; }
  [ -s "$DIR/log" ] && { cat "$DIR/log"; fail "update-mime-database warned about $MIME"; }
  grep -q "application/x-caseroom-invitation:\*\.caseroom" "$DIR/mime/globs2" || fail "no *.caseroom glob: $(cat "$DIR/mime/globs2")"
  grep -aq "caseroom://" "$DIR/mime/magic" || fail "no caseroom:// magic"
  [ -f "$DIR/mime/application/x-caseroom-invitation.xml" ] || fail "the type was not installed"
else
  echo "update-mime-database not installed (shared-mime-info): skipped"
fi
echo "desktop entry and MIME type: ok"
