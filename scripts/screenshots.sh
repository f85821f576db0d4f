#!/bin/sh
# scripts/screenshots.sh: the pictures in docs/images, made again from the
# sample weeks' `make digest` output (out/), so that they show what the
# current version writes. Needs the test packages (make deps-test):
# chromium, poppler-utils, libreoffice-calc-nogui.
#   scripts/screenshots.sh [OUT]   (default out; run `make digest` first)
set -eu
cd "$(dirname "$0")/.."
OUT=${1:-out}
WEEK=2026-W47
IMG=docs/images
PY=/usr/bin/python3
[ -f "$OUT/$WEEK/index.html" ] || { echo "screenshots: no $OUT/$WEEK/index.html (run make digest)" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# The web page: desktop, and three phone views (docs/html.md)
W="file://$PWD/$OUT/$WEEK/index.html"
$PY tests/lib/chromium.py "$W" 1280 "$IMG/week.png" '' 1600
$PY tests/lib/chromium.py "$W" 390 "$IMG/week-phone.png" '#top-used' 1150
$PY tests/lib/chromium.py "$W" 390 "$IMG/week-phone-charts.png" '#confidence' 1150
$PY tests/lib/chromium.py "file://$PWD/$OUT/index.html" 390 "$IMG/index-phone.png" '' 1150

# The PDF: page 1, and the pages with the first and the last chart (docs/pdf.md)
PDF=$OUT/$WEEK/digest.pdf
page_with() { # the first page of $1 whose text has $2
    n=$(pdfinfo "$1" | awk '/^Pages:/ { print $2 }')
    i=1
    while [ "$i" -le "$n" ]; do
        if pdftotext -f "$i" -l "$i" "$1" - | grep -q "$2"; then echo "$i"; return; fi
        i=$((i + 1))
    done
    echo 1
}
shot() { # PDF page resolution output.png
    pdftoppm -f "$2" -l "$2" -r "$3" -png -singlefile "$1" "$TMP/page"
    mv "$TMP/page.png" "$4"
}
shot "$PDF" 1 50 "$IMG/pdf-page-1.png"
shot "$PDF" "$(page_with "$PDF" 'Mean confidence per day')" 50 "$IMG/pdf-page-2.png"
shot "$PDF" "$(page_with "$PDF" 'Reliability: confidence vs acceptance')" 50 "$IMG/pdf-page-3.png"

# The workbook as LibreOffice prints it: the Top rejected sheet (docs/xlsx.md)
cp "$OUT/$WEEK/digest.xlsx" "$TMP/digest.xlsx"
soffice -env:UserInstallation="file://$TMP/profile" --headless --convert-to pdf \
    --outdir "$TMP" "$TMP/digest.xlsx" >/dev/null 2>&1
shot "$TMP/digest.pdf" "$(page_with "$TMP/digest.pdf" '^Rejections$')" 72 "$IMG/xlsx-libreoffice.png"
echo "screenshots: $IMG/ made from $OUT/$WEEK"
