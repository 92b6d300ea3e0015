#!/usr/bin/env bash
# Publish a Folio site: check it, build it, copy public/ to a destination.
# Usage: scripts/publish.sh SITE_DIR DEST_DIR   (FOLIO=path/to/folio, default: folio on PATH)
# Output is plain lines (CI logs); exits non-zero, leaving DEST untouched, on any problem.
set -euo pipefail
site=${1:?usage: publish.sh SITE_DIR DEST_DIR}
dest=${2:?usage: publish.sh SITE_DIR DEST_DIR}
folio=${FOLIO:-folio}

echo "publish: check"
"$folio" --root "$site" check
echo "publish: build"
"$folio" --root "$site" build
echo "publish: copy to $dest"
tmp="$dest.publish-tmp"
rm -rf "$tmp"
cp -a "$site/public" "$tmp"
if [ -d "$dest" ]; then
  rm -rf "$dest.publish-old"
  mv "$dest" "$dest.publish-old"
fi
mv "$tmp" "$dest"
rm -rf "$dest.publish-old"
echo "publish: done"
