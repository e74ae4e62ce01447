#!/bin/bash
# The command line on its own and with a daemon: importing real formats,
# inspecting artifacts beside a manifest, references that must not escape,
# validation, --local, and the plugin commands.
BUILD=$1
SRC=$2
. "$SRC/tests/integration/lib.sh"

ART="$SRC/tests/fixtures/artifacts"

manifest() { # file name artifact-path [sha256]
	cat >"$1" <<YAML
apiVersion: aivet/v1
kind: model
name: $2
version: "1"
licenses: {code: MIT, weights: MIT}
artifacts:
  - path: $3
    format: pickle
${4:+    sha256: \"$4\"}
YAML
}

test_dangerous_pickle_beside_the_manifest_blocks() {
	mkdir -p "$TMP/a"
	cp "$ART/reduce_posix_system_p4.pkl" "$TMP/a/"
	manifest "$TMP/a/m.yaml" pickled reduce_posix_system_p4.pkl
	rc=0
	out=$("$AIVET" --local -f json check "$TMP/a/m.yaml") || rc=$?
	expect_rc 2 "$rc"
	expect_contains "$out" "supply_chain.artifact.dangerous_global"
	expect_contains "$out" "posix.system"
}

test_sha256_mismatch_blocks_and_match_does_not() {
	mkdir -p "$TMP/b"
	cp "$ART/benign_ordereddict.pkl" "$TMP/b/"
	sum=$(sha256sum "$TMP/b/benign_ordereddict.pkl" | cut -d' ' -f1)
	manifest "$TMP/b/good.yaml" benign benign_ordereddict.pkl "$sum"
	manifest "$TMP/b/bad.yaml" benign benign_ordereddict.pkl "ab${sum:2}"
	out=$("$AIVET" --local --fail-on none -f json check "$TMP/b/good.yaml")
	case "$out" in *sha256_mismatch*) fail "a matching file was called a mismatch" ;; esac
	out=$("$AIVET" --local --fail-on none -f json check "$TMP/b/bad.yaml")
	expect_contains "$out" "supply_chain.artifact.sha256_mismatch"
}

test_artifact_outside_the_manifest_folder_is_refused() {
	mkdir -p "$TMP/c/inner"
	cp "$ART/benign_ordereddict.pkl" "$TMP/c/"
	manifest "$TMP/c/inner/m.yaml" escape ../benign_ordereddict.pkl
	rc=0
	out=$("$AIVET" --local check "$TMP/c/inner/m.yaml" 2>&1) || rc=$?
	expect_rc 65 "$rc"
	expect_contains "$out" "outside the manifest's folder"
	"$AIVET" --local --allow-outside --fail-on none check "$TMP/c/inner/m.yaml" >/dev/null
}

test_model_card_path_is_read_and_sent() {
	mkdir -p "$TMP/d"
	cat >"$TMP/d/card.md" <<'MD'
# Example model
## Intended uses
Summarising internal support tickets written in English by our own staff members.
## Limitations
It misses sarcasm and invents ticket numbers when asked about them directly.
MD
	cat >"$TMP/d/m.yaml" <<'YAML'
apiVersion: aivet/v1
kind: model
name: carded
version: "1"
model_card: {path: card.md}
YAML
	out=$("$AIVET" --local --fail-on none -f json check "$TMP/d/m.yaml")
	case "$out" in *model_card.intended_use.missing*) fail "intended use was not found" ;; esac
	expect_contains "$out" "model_card.out_of_scope.missing"
}

test_import_prints_a_manifest_that_validates() {
	cat >"$TMP/card.md" <<'MD'
---
license: apache-2.0
pipeline_tag: text-classification
model_name: acme/tiny-classifier
---
# Tiny classifier
## Intended uses
Sorting short English support messages into five queues for triage.
MD
	"$AIVET" import hf "$TMP/card.md" >"$TMP/imported.yaml" 2>/dev/null
	expect_contains "$(cat "$TMP/imported.yaml")" "apiVersion: aivet/v1"
	expect_contains "$(cat "$TMP/imported.yaml")" "weights: apache-2.0"
	"$AIVET" -q validate "$TMP/imported.yaml"
}

test_imported_manifest_means_the_same_as_the_card() {
	printf -- '---\nlicense: mit\n---\n# Card\n\n## Intended uses\nTriage of tickets.  \n\tIndented line.\n\n## Limitations\nEnglish only.\n' >"$TMP/rt.md"
	"$AIVET" import hf "$TMP/rt.md" >"$TMP/rt.yaml" 2>/dev/null
	expect_contains "$(cat "$TMP/rt.yaml")" "text: |"
	a=$("$AIVET" --local --fail-on none -f json check "$TMP/rt.yaml" | grep -m1 '"digest"')
	b=$("$AIVET" --local --fail-on none -f json --input hf check "$TMP/rt.md" 2>/dev/null | grep -m1 '"digest"')
	[ -n "$a" ] && [ "$a" = "$b" ] || fail "digests differ: $a / $b"
}

test_manifest_takes_missing_sections_from_its_bom() {
	mkdir -p "$TMP/bom"
	cat >"$TMP/bom/bom.json" <<'JSON'
{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
 "components": [{"type": "machine-learning-model", "name": "acme-ranker", "version": "2.1",
   "licenses": [{"license": {"id": "CC-BY-NC-4.0"}}]}]}
JSON
	printf 'apiVersion: aivet/v1\nkind: model\nname: ranker\nversion: "2.1"\nbom: {path: bom.json}\nuse: {commercial: true}\n' >"$TMP/bom/m.yaml"
	out=$("$AIVET" --local --fail-on none -f json check "$TMP/bom/m.yaml" 2>/dev/null)
	expect_contains "$out" "license.weights.noncommercial"
	printf 'apiVersion: aivet/v1\nkind: model\nname: ranker\nversion: "2.1"\nbom: {path: ../../etc/passwd}\n' >"$TMP/bom/esc.yaml"
	rc=0
	out=$("$AIVET" --local check "$TMP/bom/esc.yaml" 2>&1) || rc=$?
	expect_rc 65 "$rc"
}

test_check_takes_cards_and_boms_directly() {
	cat >"$TMP/bom.json" <<'JSON'
{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
 "components": [{"type": "machine-learning-model", "name": "acme-ranker", "version": "2.1",
   "licenses": [{"license": {"id": "MIT"}}]}]}
JSON
	out=$("$AIVET" --local --fail-on none -f json check "$TMP/bom.json" 2>/dev/null)
	expect_contains "$out" '"acme-ranker"'
	printf '# Tiny\n## Intended uses\nSorting short English support messages.\n' >"$TMP/plain.md"
	out=$("$AIVET" --local --fail-on none -f json --input hf check "$TMP/plain.md" 2>/dev/null)
	expect_contains "$out" '"decision"'
}

test_validate_reports_every_problem_with_positions() {
	printf 'apiVersion: aivet/v1\nkind: modle\nname: x\nversion: "1"\nlicences: {}\nuse: {audience: everyone}\n' >"$TMP/v.yaml"
	rc=0
	out=$("$AIVET" validate "$TMP/v.yaml" 2>&1) || rc=$?
	expect_rc 65 "$rc"
	expect_contains "$out" "v.yaml:2:7"
	expect_contains "$out" "v.yaml:5:1"
	expect_contains "$out" "licenses"
	expect_contains "$out" "v.yaml:6:17"
}

test_plugin_check_and_list() {
	"$AIVET" plugin check "$SRC/plugins/license.lua" >/dev/null
	printf 'return { name = "broken" }\n' >"$TMP/broken.lua"
	rc=0
	"$AIVET" plugin check "$TMP/broken.lua" >/dev/null 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || fail "a plugin without evaluate passed the check"
	out=$("$AIVET" --local plugin list)
	expect_contains "$out" "supply_chain"
}

test_plugin_test_reports_failures_with_exit_1() {
	mkdir -p "$TMP/pt"
	cat >"$TMP/pt/x_test.lua" <<'LUA'
function test_passes()
  local v = evaluate({apiVersion = "aivet/v1", kind = "model", name = "t", version = "1"})
  expect_finding(v, "license.weights.missing")
end
function test_fails()
  local v = evaluate({apiVersion = "aivet/v1", kind = "model", name = "t", version = "1"})
  expect_decision(v, "approved")
end
LUA
	rc=0
	out=$("$AIVET" plugin test "$TMP/pt") || rc=$?
	expect_rc 1 "$rc"
	expect_contains "$out" "1 passed, 1 failed"
}

run_tests
