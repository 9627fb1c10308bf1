#!/bin/sh
# Regenerates the spreadsheet test files from the plain-text sources beside
# this script, with LibreOffice Calc, so the tests read what a real
# spreadsheet program writes. The outputs are committed; CI does not need
# LibreOffice. Needs soffice and its Python macros (Debian: apt-get install
# libreoffice-calc-nogui libreoffice-script-provider-python).
#
#   sh testdata/files/make.sh
set -eu
cd "$(dirname "$0")"
here=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A throwaway profile keeps the run independent of the user's settings.
export HOME="$work/home"
profile="$work/profile"

calc() {
	soffice --headless "-env:UserInstallation=file://$profile" "$@" >"$work/log" 2>&1 ||
		{ cat "$work/log" >&2; exit 1; }
}

# CSV import filter options: separator, quote, charset, first line, then
# column/format pairs (1 standard, 2 text, 5 YYYY-MM-DD date).
# Postcode (3) and e-mail (7) are text so 00184 keeps its zeros; "Customer
# since" (5) becomes real date cells.
customers_filter="44,34,76,1,1/1/2/1/3/2/4/1/5/5/6/1/7/2"
contacts_filter="44,34,76,1,1/2/2/2/3/2/4/2"
# The German source stays text throughout: the point of that file is its
# encoding and separators, "1.234,56" must come out exactly as written.
german_filter="59,34,76,1,1/2/2/2/3/2/4/2/5/2/6/2/7/2"

calc --infilter="CSV:$customers_filter" --convert-to xlsx --outdir "$work/xlsx" customers.csv
calc --infilter="CSV:$customers_filter" --convert-to ods --outdir "$work/ods" customers.csv
# Excel's "Unicode Text": UTF-16 (charset 65535, little-endian with BOM), tab-separated.
calc --infilter="CSV:$customers_filter" \
	--convert-to 'txt:Text - txt - csv (StarCalc):9,34,65535,1' --outdir "$work/utf16" customers.csv
# Windows-1252 (charset 1), semicolon-separated, as German Excel saves CSV.
calc --infilter="CSV:$german_filter" \
	--convert-to 'csv:Text - txt - csv (StarCalc):59,34,1,1' --outdir "$work/cp1252" customers-de.csv

# Workbooks with several sheets and hand-set number formats need a macro.
mkdir -p "$profile/user/Scripts/python"
cp workbooks.py "$profile/user/Scripts/python/"
mkdir -p "$work/macro"
FIXTURE_SRC="$here" FIXTURE_OUT="$work/macro" \
	CUSTOMERS_FILTER="$customers_filter" CONTACTS_FILTER="$contacts_filter" \
	calc 'vnd.sun.star.script:workbooks.py$main?language=Python&location=user'

cp "$work/xlsx/customers.xlsx" customers.xlsx
cp "$work/ods/customers.ods" customers.ods
cp "$work/utf16/customers.txt" customers-utf16.txt
cp "$work/cp1252/customers-de.csv" customers-cp1252-semicolon.csv
cp "$work/macro/two-sheets.xlsx" two-sheets.xlsx
cp "$work/macro/two-sheets.ods" two-sheets.ods
ls -l customers.xlsx customers.ods customers-utf16.txt customers-cp1252-semicolon.csv two-sheets.xlsx two-sheets.ods
