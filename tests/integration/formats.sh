#!/bin/bash
# Output formats (junit, sarif, markdown, github, json) checked for their
# structure with xmllint and jq, the gate's exit codes under each, and the
# project file aivet.yaml with `aivet init`.
BUILD=$1
SRC=$2
. "$SRC/tests/integration/lib.sh"

EX="$SRC/examples/manifests"
M="$EX/phi-2.yaml $EX/bloom-560m.yaml $EX/support-bot.yaml"

# The gate: the exit code must not depend on the format.
gate() { # FORMAT -> exit code of check --local over $M
	local rc=0
	"$AIVET" --local -f "$1" check $M >"$TMP/out.$1" 2>"$TMP/err.$1" || rc=$?
	echo "$rc"
}

test_exit_code_is_the_same_in_every_format() {
	want=$(gate text)
	for f in json junit sarif markdown github; do
		expect_rc "$want" "$(gate $f)"
	done
	rc=0
	"$AIVET" --local --fail-on none -f sarif check $M >/dev/null || rc=$?
	expect_rc 0 "$rc"
}

test_junit_is_well_formed_with_a_testcase_per_area() {
	gate junit >/dev/null
	xmllint --noout "$TMP/out.junit"
	n=$(xmllint --xpath 'count(/testsuites/testsuite)' "$TMP/out.junit")
	expect_rc 3 "$n"
	for area in license model_card supply_chain privacy evaluation operations fit; do
		c=$(xmllint --xpath "count(/testsuites/testsuite/testcase[@name='$area'])" "$TMP/out.junit")
		expect_rc 3 "$c"
	done
	# Totals on the root agree with the testcases and failures below it.
	t=$(xmllint --xpath 'string(/testsuites/@tests)' "$TMP/out.junit")
	expect_rc "$t" "$(xmllint --xpath 'count(//testcase)' "$TMP/out.junit")"
	f=$(xmllint --xpath 'string(/testsuites/@failures)' "$TMP/out.junit")
	expect_rc "$f" "$(xmllint --xpath 'count(//testcase[failure])' "$TMP/out.junit")"
	[ "$f" -ge 1 ] || fail "no failures reported"
	# A failure carries the finding ids.
	xmllint --xpath 'string(//testcase[@name="evaluation"]/failure)' "$TMP/out.junit" |
		grep -q 'evaluation.missing' || fail "no finding text in a failure"
}

test_junit_escapes_markup_in_names_and_messages() {
	cat >"$TMP/x.yaml" <<'YAML'
apiVersion: aivet/v1
kind: model
name: ab-model
version: "1<2>&\"3'"
licenses:
  code: Apache-2.0
  weights: {name: "Weird <License> & \"Co\""}
YAML
	"$AIVET" --local -f junit check "$TMP/x.yaml" >"$TMP/x.xml" || true
	xmllint --noout "$TMP/x.xml"
	[ "$(xmllint --xpath 'string(/testsuites/testsuite/@name)' "$TMP/x.xml")" = "ab-model@1<2>&\"3'" ] ||
		fail "name not round-tripped: $(xmllint --xpath 'string(/testsuites/testsuite/@name)' "$TMP/x.xml")"
}

test_sarif_has_the_required_properties() {
	gate sarif >/dev/null
	S="$TMP/out.sarif"
	jq -e '.version == "2.1.0" and (.["$schema"] | test("sarif-2.1.0"))' "$S" >/dev/null ||
		fail "version/schema"
	jq -e '.runs | length == 1' "$S" >/dev/null || fail "runs"
	jq -e '.runs[0].tool.driver.name == "aivet"' "$S" >/dev/null || fail "driver name"
	# Every rule: id, name, shortDescription.text, help.text, defaultConfiguration.level.
	jq -e '.runs[0].tool.driver.rules | length > 0 and all(.[];
		(.id|type)=="string" and (.name|test("^[A-Za-z0-9]+$")) and
		(.shortDescription.text|length)>0 and (.help.text|length)>0 and
		(.defaultConfiguration.level|IN("error","warning","note")))' "$S" >/dev/null ||
		fail "rule shape"
	# Rule ids are unique, and every result points at its rule.
	jq -e '.runs[0].tool.driver.rules | (map(.id) | unique | length) == length' "$S" >/dev/null ||
		fail "duplicate rules"
	jq -e '.runs[0] as $r | $r.results | length > 0 and all(.[];
		$r.tool.driver.rules[.ruleIndex].id == .ruleId and (.message.text|length)>0 and
		(.level|IN("error","warning","note")) and
		(.locations[0].physicalLocation.artifactLocation.uri|endswith(".yaml")))' "$S" >/dev/null ||
		fail "result shape"
	# Findings about a field that exists carry its line.
	jq -e '[.runs[0].results[] | select(.ruleId == "supply_chain.revision.unpinned" or
		(.properties.evidence | startswith("licenses."))) |
		.locations[0].physicalLocation.region.startLine] | length > 0 and all(. > 1)' "$S" >/dev/null ||
		fail "no line numbers"
}

test_sarif_line_is_the_evidence_field() {
	gate sarif >/dev/null
	line=$(jq -r '[.runs[0].results[] | select(.properties.evidence == "licenses.weights" and
		(.locations[0].physicalLocation.artifactLocation.uri | endswith("phi-2.yaml")))][0] |
		.locations[0].physicalLocation.region.startLine' "$TMP/out.sarif")
	want=$(grep -n '^  weights:' "$EX/phi-2.yaml" | cut -d: -f1)
	expect_rc "$want" "$line"
}

test_markdown_is_a_summary_table() {
	gate markdown >/dev/null
	md="$TMP/out.markdown"
	head -1 "$md" | grep -Eq '^### aivet: [0-9]+ rejected, [0-9]+ needs review, [0-9]+ approved$' ||
		fail "heading: $(head -1 "$md")"
	grep -q '^| Component | Version | Decision | Risk | Review by | Freshness | Findings |$' "$md" ||
		fail "no table header"
	grep -q '^|---|---|---|---|---|---|---|$' "$md" || fail "no separator"
	rows=$(grep -c '^| [^C-]' "$md" || true)
	expect_rc 3 "$rows"
	# Every row has the header's seven cells.
	bad=$(grep '^| ' "$md" | sed 's/\\|//g' | awk -F'|' 'NF != 9' || true)
	[ -z "$bad" ] || fail "ragged rows: $bad"
}

test_github_lines_are_workflow_commands() {
	gate github >/dev/null
	gh="$TMP/out.github"
	[ -s "$gh" ] || fail "no output"
	bad=$(grep -Ev '^::(error|warning|notice) file=[^,:]+(,line=[0-9]+)?(,col=[0-9]+)?,title=[^,:]+::.+$' "$gh" || true)
	[ -z "$bad" ] || fail "not workflow commands: ${bad:0:300}"
	grep -Eq '^::(warning|notice) file=[^,]*phi-2.yaml,line=[0-9]+,col=[0-9]+,title=' "$gh" ||
		fail "no located annotation"
	grep -q '^::notice ' "$gh" || fail "no notices for warn findings"
}

test_quiet_prints_only_failures() {
	"$AIVET" --local -q -f github check $M >"$TMP/q.gh" || true
	! grep -q '^::notice' "$TMP/q.gh" || fail "notices under --quiet"
	"$AIVET" --local -q --fail-on rejected -f junit check $M >"$TMP/q.xml" || true
	xmllint --noout "$TMP/q.xml"
	# Only the rejected component fails the gate under --fail-on rejected.
	n=$(xmllint --xpath 'count(/testsuites/testsuite)' "$TMP/q.xml")
	r=$("$AIVET" --local -f json check $M | jq '[.[] | select(.decision == "rejected")] | length' || true)
	expect_rc "$r" "$n"
}

test_unknown_format_is_a_usage_error() {
	rc=0
	"$AIVET" --local -f yaml check "$EX/phi-2.yaml" 2>"$TMP/e" || rc=$?
	expect_rc 64 "$rc"
	expect_contains "$(cat "$TMP/e")" "junit, sarif"
}

test_verdict_formats_against_the_daemon() {
	start_daemon
	trap 'stop_daemon KILL' EXIT
	"$AIVET" check "$EX/phi-2.yaml" >/dev/null || true
	"$AIVET" -f junit verdict microsoft/phi-2 >"$TMP/v.xml" || true
	xmllint --noout "$TMP/v.xml"
	expect_rc 1 "$(xmllint --xpath 'count(//testsuite)' "$TMP/v.xml")"
	"$AIVET" -f sarif verdict microsoft/phi-2@2.0 | jq -e '.runs[0].results | length > 0' >/dev/null
	"$AIVET" -f sarif check "$EX/phi-2.yaml" | jq -e '.runs[0].results[0].locations' >/dev/null
	stop_daemon
}

test_reviews_formats_for_ci() {
	start_daemon
	trap 'stop_daemon KILL' EXIT
	"$AIVET" check "$EX/phi-2.yaml" "$EX/support-bot.yaml" >/dev/null || true
	stop_daemon
	# A year and a half later both reviews are overdue.
	AIVET_NOW=2028-06-01 start_daemon
	"$AIVET" -f junit reviews >"$TMP/r.xml"
	xmllint --noout "$TMP/r.xml"
	expect_rc 2 "$(xmllint --xpath 'count(//testcase)' "$TMP/r.xml")"
	expect_rc 2 "$(xmllint --xpath 'count(//testcase/failure)' "$TMP/r.xml")"
	"$AIVET" -f sarif reviews | jq -e '.version == "2.1.0" and (.runs[0].results | length == 2)
		and (.runs[0].results[0].ruleId == "review.overdue")
		and (.runs[0].tool.driver.rules | map(.id) | index("review.overdue") != null)' >/dev/null
	out=$("$AIVET" -f github reviews)
	expect_contains "$out" "::error title=aivet review overdue::"
	out=$("$AIVET" -f markdown reviews)
	expect_contains "$out" "| Component | Verdict | Due | Owner | State |"
	expect_contains "$out" "support-bot@2.3.0"
	stop_daemon
}

# ---- the project file ----

test_check_without_arguments_finds_aivet_yaml_upwards() {
	mkdir -p "$TMP/repo/models" "$TMP/repo/src/deep"
	cp "$EX/phi-2.yaml" "$TMP/repo/models/"
	cat >"$TMP/repo/aivet.yaml" <<'YAML'
apiVersion: aivet/v1
kind: project
profile: research
components:
  - manifest: models/phi-2.yaml
YAML
	out=$(cd "$TMP/repo/src/deep" && "$AIVET" --local -f json check) || true
	[ "$(printf '%s' "$out" | jq length)" = 1 ] || fail "expected one verdict: $out"
	[ "$(printf '%s' "$out" | jq -r '.[0].profile')" = research ] || fail "profile not used"
	src=$(printf '%s' "$out" | jq -r '.[0].source')
	[ -f "$TMP/repo/src/deep/$src" ] || [ -f "$src" ] || fail "source path $src does not resolve"
}

test_project_lists_a_card_with_its_format() {
	mkdir -p "$TMP/p2/vendor"
	cat >"$TMP/p2/vendor/README.md" <<'MD'
---
license: mit
pipeline_tag: text-classification
---
# tiny-classifier

A small classifier.

## Limitations
English only.
MD
	printf 'apiVersion: aivet/v1\nkind: project\ncomponents:\n  - card: vendor/README.md\n    format: hf\n' >"$TMP/p2/aivet.yaml"
	out=$(cd "$TMP/p2" && "$AIVET" --local -f json check) || true
	[ "$(printf '%s' "$out" | jq -r '.[0].source')" = vendor/README.md ] || fail "$out"
}

test_project_file_errors_name_line_and_column() {
	mkdir -p "$TMP/p3"
	cat >"$TMP/p3/aivet.yaml" <<'YAML'
apiVersion: aivet/v1
kind: project
profil: production
components:
  - manifest: a.yaml
    colour: red
  - card: b.md
  - card: c.md
    format: pdf
YAML
	rc=0
	err=$(cd "$TMP/p3" && "$AIVET" --local check 2>&1) || rc=$?
	expect_rc 65 "$rc"
	expect_contains "$err" "aivet.yaml:3:1: unknown key 'profil'"
	expect_contains "$err" "aivet.yaml:6:5: unknown key 'colour'"
	expect_contains "$err" "aivet.yaml:7:5: a card needs 'format'"
	expect_contains "$err" "aivet.yaml:9:13:"
}

test_check_without_arguments_and_no_project_is_usage() {
	mkdir -p "$TMP/empty"
	rc=0
	(cd "$TMP/empty" && "$AIVET" --local check 2>"$TMP/e") || rc=$?
	# A project file above $TMP would be found; none is expected there.
	expect_rc 64 "$rc"
	expect_contains "$(cat "$TMP/e")" "aivet init"
}

test_init_writes_a_project_and_refuses_to_overwrite() {
	mkdir -p "$TMP/i1"
	(cd "$TMP/i1" && "$AIVET" init) >/dev/null
	grep -q '^kind: project$' "$TMP/i1/aivet.yaml" || fail "no project file"
	rc=0
	(cd "$TMP/i1" && "$AIVET" init 2>/dev/null) || rc=$?
	expect_rc 64 "$rc"
}

test_init_from_card_marks_what_the_card_could_not_fill() {
	mkdir -p "$TMP/i2/tiny-model"
	cat >"$TMP/i2/tiny-model/README.md" <<'MD'
---
license: apache-2.0
language: en
---
# tiny-model

## Intended uses
Sorting support tickets.
MD
	(cd "$TMP/i2" && "$AIVET" init --from-card tiny-model/README.md) >"$TMP/init.out"
	expect_contains "$(cat "$TMP/init.out")" "tiny-model.aivet.yaml"
	f="$TMP/i2/tiny-model.aivet.yaml"
	grep -q '# TODO: fill in owner' "$f" || grep -q '#   owner:.*TODO: fill in' "$f" || fail "owner not marked"
	grep -q 'TODO: fill in data' "$f" || fail "licenses.data not marked"
	grep -q '^  weights: apache-2.0' "$f" || fail "the card's license is not used"
	# The starter manifest is valid as written, and the project checks it.
	"$AIVET" validate "$f" >/dev/null
	(cd "$TMP/i2" && "$AIVET" --local -f json check) | jq -e '.[0].component.name' >/dev/null
}

# ---- examples/ ----

make_project() { # DIR: a repository with aivet.yaml listing one manifest
	mkdir -p "$1/models"
	cp "$EX/phi-2.yaml" "$1/models/"
	printf 'apiVersion: aivet/v1\nkind: project\ncomponents:\n  - manifest: models/phi-2.yaml\n' >"$1/aivet.yaml"
}

test_example_makefile_gate_fails_the_build() {
	make_project "$TMP/mk"
	rc=0
	make -s -C "$TMP/mk" -f "$SRC/examples/ci/Makefile.gate" ai-gate AIVET="$AIVET" \
		AIVET_FLAGS=--local >/dev/null 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || fail "the gate passed a component that needs review"
	make -s -C "$TMP/mk" -f "$SRC/examples/ci/Makefile.gate" ai-gate AIVET="$AIVET" \
		AIVET_FLAGS="--local --fail-on rejected" >/dev/null
	make -s -C "$TMP/mk" -f "$SRC/examples/ci/Makefile.gate" ai-gate-junit AIVET="$AIVET" \
		AIVET_FLAGS="--local --fail-on none"
	xmllint --noout "$TMP/mk/aivet-junit.xml"
}

test_example_pre_commit_hook_blocks_an_invalid_manifest() {
	make_project "$TMP/git"
	cd "$TMP/git"
	git init -q . && git config user.email t@example.org && git config user.name t
	cp "$SRC/examples/hooks/pre-commit" .git/hooks/pre-commit
	export AIVET
	git add -A && git commit -qm ok >/dev/null 2>&1 || fail "a valid project was refused"
	printf 'colour: red\n' >>models/phi-2.yaml
	git add -A
	if git commit -qm bad >/dev/null 2>&1; then fail "an invalid manifest was committed"; fi
}

test_example_meson_run_target() {
	command -v meson >/dev/null || return 0
	make_project "$TMP/ms"
	{ echo "project('ms', 'c')"; cat "$SRC/examples/ci/meson.build"; } >"$TMP/ms/meson.build"
	start_daemon
	trap 'stop_daemon KILL' EXIT
	PATH="$(dirname "$AIVET"):$PATH" meson setup "$TMP/ms/build" "$TMP/ms" >/dev/null
	rc=0
	PATH="$(dirname "$AIVET"):$PATH" meson compile -C "$TMP/ms/build" aivet-check >"$TMP/ms.out" 2>&1 || rc=$?
	stop_daemon
	expect_contains "$(cat "$TMP/ms.out")" "microsoft/phi-2"
	[ "$rc" -ne 0 ] || fail "the run_target passed a component that needs review"
}

test_example_nngcat_script_reads_a_verdict() {
	start_daemon
	trap 'stop_daemon KILL' EXIT
	"$AIVET" check "$EX/phi-2.yaml" >/dev/null || true
	rc=0
	out=$("$SRC/examples/scripts/nngcat-verdict.sh" microsoft/phi-2 2.0) || rc=$?
	expect_rc 1 "$rc"
	expect_contains "$out" '"decision":"needs_review"'
	rc=0
	"$SRC/examples/scripts/nngcat-verdict.sh" nobody >/dev/null || rc=$?
	expect_rc 1 "$rc"
	stop_daemon
	rc=0
	"$SRC/examples/scripts/nngcat-verdict.sh" nobody >/dev/null 2>&1 || rc=$?
	expect_rc 69 "$rc"
}

run_tests
