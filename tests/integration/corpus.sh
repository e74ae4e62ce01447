#!/bin/bash
# Every real card, BOM and SPDX document of the corpus through every
# profile: each gets a verdict and no plugin fails on it.  Skipped (exit 77)
# when the corpus folder is absent.
BUILD=$1
SRC=$2
CORPUS=$3
[ -d "$CORPUS" ] || { echo "no corpus at $CORPUS: skipped"; exit 77; }
. "$SRC/tests/integration/lib.sh"

corpus_files() {
	ls "$CORPUS"/modelcards/*.md "$CORPUS"/datasetcards/*.md "$CORPUS"/spdx/*.spdx3.json 2>/dev/null
	ls "$CORPUS"/cyclonedx/*.json 2>/dev/null | grep -v schema
}

for profile in default production research regulated; do
	eval "test_corpus_under_$profile() {
		n=0
		while read -r f; do
			out=\$(\"\$AIVET\" --local -p $profile --fail-on none -f json check \"\$f\" 2>\"\$TMP/err\") ||
				fail \"\$f: exit \$? \$(head -3 \"\$TMP/err\")\"
			expect_contains \"\$out\" '\"decision\"' || fail \"\$f: no verdict\"
			case \"\$out\" in *engine.plugin_*) fail \"\$f: a plugin failed: \$(echo \"\$out\" | grep -A2 engine.plugin_ | head -3)\" ;; esac
			n=\$((n + 1))
		done < <(corpus_files)
		[ \$n -gt 0 ] || fail 'no corpus files found'
		echo \"\$n documents evaluated under $profile\"
	}"
done

run_tests
