#!/bin/sh
# Prints the ```sh block that follows the line "<!-- test: NAME -->" in README.md, so the
# demo and the tests run the README's workflows exactly as written.
#   tools/readme-block.sh NAME [README]
set -eu
readme=${2:-$(dirname "$0")/../README.md}
awk -v marker="<!-- test: $1 -->" '
	$0 == marker { found = 1; next }
	found == 1 && /^[[:space:]]*$/ { next }
	found == 1 { if ($0 !~ /^```sh[[:space:]]*$/) exit 2; found = 2; next }
	found == 2 && /^```[[:space:]]*$/ { found = 3; exit }
	found == 2 { print }
	END { if (found != 3) { print "readme-block: no ```sh block after \"" marker "\"" > "/dev/stderr"; exit 2 } }
' "$readme"
