#!/bin/bash
# aivet scan and aivet check DIR on snapshot folders built here: a clone-like
# folder with the problems of issue 18, a Hugging Face cache with two
# snapshots, scanner reports; with and without a daemon.  No secret text may
# appear in any output.
BUILD=$1
SRC=$2
. "$SRC/tests/integration/lib.sh"

CORPUS=${AIVET_CORPUS_DIR:-$SRC/../shared/corpus}
TOKEN="hf_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z"
AWSKEY="AKIAIOSFODNN7EXAMPL2"

# no_secret FILE...: the token and the key appear in none of the files.
no_secret() {
	if grep -a -l -e "$TOKEN" -e "$AWSKEY" -e "aB3dE5fG7hJ9" "$@" 2>/dev/null; then
		fail "secret text in the output above"
	fi
}

# repository DIR: the folder of the issue.
repository() {
	local d=$1
	mkdir -p "$d/examples"
	cat >"$d/README.md" <<'MD'
---
license: apache-2.0
library_name: transformers
---
# Widget model

## Intended uses
Sorting widgets in photos taken by our own staff.
MD
	if [ -f "$CORPUS/license-texts/CC-BY-NC-4.0.txt" ]; then
		cp "$CORPUS/license-texts/CC-BY-NC-4.0.txt" "$d/LICENSE"
	else
		cp "$SRC/tests/fixtures/licenses/ai/cc-by-nc-pointer.txt" "$d/LICENSE"
	fi
	cat >"$d/config.json" <<'JSON'
{
  "model_type": "widget",
  "auto_map": {
    "AutoModel": "modeling_widget.WidgetModel"
  }
}
JSON
	cat >"$d/modeling_widget.py" <<'PY'
import requests
import torch


def load(path):
    extra = requests.get("https://weights.example/extra.bin").content
    return torch.load(path)
PY
	cat >"$d/examples/demo.ipynb" <<JSON
{
 "cells": [
  {
   "cell_type": "code",
   "source": ["import os\n", "print(os.environ['HF_TOKEN'])\n"],
   "outputs": [
    {"output_type": "stream", "name": "stdout", "text": ["$TOKEN\n"]}
   ]
  }
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}
JSON
	printf 'aws_key = "%s"\n' "$AWSKEY" >"$d/examples/settings.py"
	cat >"$d/requirements.txt" <<'TXT'
torch>=2.0
transformers==4.44.2 --hash=sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
TXT
	cat >"$d/poetry.lock" <<'TOML'
[[package]]
name = "jinja2"
version = "2.4.1"
files = [
    {file = "Jinja2-2.4.1.tar.gz", hash = "sha256:bbbbbbbb"},
]
TOML
	cp "$SRC/tests/fixtures/artifacts/tiny.safetensors" "$d/model.safetensors"
}

test_scan_prints_the_facts_with_where_they_were_found() {
	repository "$TMP/r1"
	"$AIVET" scan "$TMP/r1" >"$TMP/r1.yaml" 2>"$TMP/r1.err"
	out=$(cat "$TMP/r1.yaml")
	expect_contains "$out" "weights: apache-2.0  # found in README.md:2"
	expect_contains "$out" "id: CC-BY-NC-4.0  # found in LICENSE:1"
	expect_contains "$out" "remote_code: true  # found in config.json:3"
	expect_contains "$out" "- https://weights.example/extra.bin  # found in modeling_widget.py:6"
	expect_contains "$out" "kind: torch_load"
	expect_contains "$out" "kind: huggingface_token"
	expect_contains "$out" "kind: aws_access_key_id"
	expect_contains "$out" "- name: torch  # found in requirements.txt:1"
	expect_contains "$out" "- name: jinja2  # found in poetry.lock:2"
	expect_contains "$out" "format: safetensors"
	no_secret "$TMP/r1.yaml" "$TMP/r1.err"
	# the manifest is valid aivet/v1, as YAML and as JSON
	"$AIVET" validate "$TMP/r1.yaml"
	"$AIVET" scan -q -f json "$TMP/r1" >"$TMP/r1.json"
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/r1.json"
	"$AIVET" validate "$TMP/r1.json"
	no_secret "$TMP/r1.json"
}

test_check_dir_evaluates_what_the_scan_found() {
	repository "$TMP/r2"
	rc=0
	"$AIVET" --local -f json check "$TMP/r2" >"$TMP/r2.out" 2>"$TMP/r2.err" || rc=$?
	expect_rc 2 "$rc"
	out=$(cat "$TMP/r2.out")
	expect_contains "$out" "license.files.mismatch"
	expect_contains "$out" "license.files.noncommercial"
	expect_contains "$out" "supply_chain.runtime.remote_code"
	expect_contains "$out" "supply_chain.runtime.downloads"
	expect_contains "$out" "supply_chain.runtime.unsafe_code"
	expect_contains "$out" "supply_chain.secrets.in_examples"
	expect_contains "$out" "examples/demo.ipynb:7 (huggingface_token)"
	expect_contains "$out" "supply_chain.dependency.unpinned"
	no_secret "$TMP/r2.out" "$TMP/r2.err"
	# text output too
	rc=0
	"$AIVET" --local check "$TMP/r2" >"$TMP/r2.txt" 2>&1 || rc=$?
	expect_rc 2 "$rc"
	no_secret "$TMP/r2.txt"
}

test_check_dir_through_the_daemon() {
	repository "$TMP/r3"
	start_daemon
	rc=0
	"$AIVET" -f json check "$TMP/r3" >"$TMP/r3.out" 2>"$TMP/r3.err" || rc=$?
	expect_rc 2 "$rc"
	expect_contains "$(cat "$TMP/r3.out")" "license.files.mismatch"
	out=$("$AIVET" -f json verdict r3) || true
	expect_contains "$out" "supply_chain.secrets.in_examples"
	stop_daemon
	no_secret "$TMP/r3.out" "$TMP/r3.err" "$TMP/daemon.log"
	no_secret "$AIVET_STATE_DIR"/*
}

# A cache as huggingface_hub leaves it: blobs/, snapshots/REV/ of links, refs/main.
hf_cache() {
	local repo=$1/models--acme--widget old=1111111111111111111111111111111111111111
	local cur=2222222222222222222222222222222222222222
	mkdir -p "$repo/blobs" "$repo/refs" "$repo/snapshots/$old" "$repo/snapshots/$cur"
	printf -- '---\nlicense: cc-by-nc-4.0\n---\n# Old widget\n' >"$repo/blobs/aaaa"
	printf -- '---\nlicense: mit\n---\n# Widget\n' >"$repo/blobs/bbbb"
	cp "$SRC/tests/fixtures/artifacts/tiny.safetensors" "$repo/blobs/cccc"
	printf '%s' "$cur" >"$repo/refs/main"
	ln -s ../../blobs/aaaa "$repo/snapshots/$old/README.md"
	ln -s ../../blobs/bbbb "$repo/snapshots/$cur/README.md"
	ln -s ../../blobs/cccc "$repo/snapshots/$cur/model.safetensors"
}

test_scan_org_name_reads_the_hugging_face_cache() {
	hf_cache "$TMP/hf/hub"
	out=$(HF_HUB_CACHE="$TMP/hf/hub" "$AIVET" scan acme/widget)
	expect_contains "$out" 'version: "2222222222222222222222222222222222222222"  # found in refs/main:1'
	expect_contains "$out" "name: acme/widget"
	expect_contains "$out" "weights: mit"
	expect_contains "$out" "url: https://huggingface.co/acme/widget"
	expect_contains "$out" "format: safetensors"
	out=$(HF_HOME="$TMP/hf" "$AIVET" scan acme/widget@1111111111111111111111111111111111111111)
	expect_contains "$out" "weights: cc-by-nc-4.0"
	rc=0
	out=$(HF_HUB_CACHE="$TMP/hf/hub" "$AIVET" scan acme/missing 2>&1) || rc=$?
	expect_rc 65 "$rc"
	expect_contains "$out" "not in the Hugging Face cache"
	# a link out of the repository's folder is not followed, and the gate fails
	ln -s /etc/hostname "$TMP/hf/hub/models--acme--widget/snapshots/2222222222222222222222222222222222222222/escape"
	rc=0
	HF_HUB_CACHE="$TMP/hf/hub" "$AIVET" scan acme/widget >"$TMP/hf.out" 2>"$TMP/hf.err" || rc=$?
	expect_rc 65 "$rc"
	expect_contains "$(cat "$TMP/hf.err")" "escape: a symbolic link to a file outside the folder"
	case "$(cat "$TMP/hf.out")" in *"path: escape"*) fail "the escaping link was scanned" ;; esac
}

test_vulnerability_reports_join_the_dependencies() {
	mkdir -p "$TMP/v"
	printf 'jinja2==2.4.1\nrequests==2.31.0\n' >"$TMP/v/requirements.txt"
	cat >"$TMP/osv.json" <<'JSON'
{"results":[{"source":{"path":"requirements.txt","type":"lockfile"},"packages":[
 {"package":{"name":"jinja2","version":"2.4.1","ecosystem":"PyPI"},
  "vulnerabilities":[{"id":"GHSA-462w-v97r-4m45","summary":"Sandbox escape",
   "affected":[{"package":{"name":"jinja2","ecosystem":"PyPI"},"ranges":[{"type":"ECOSYSTEM",
   "events":[{"introduced":"0"},{"fixed":"2.10.1"}]}]}]}],
  "groups":[{"ids":["GHSA-462w-v97r-4m45"],"max_severity":"8.8"}]}]}]}
JSON
	cat >"$TMP/audit.json" <<'JSON'
{"dependencies":[{"name":"requests","version":"2.31.0","vulns":[{"id":"PYSEC-2024-1",
 "fix_versions":["2.32.0"],"aliases":["CVE-2024-35195"],"description":"Session verify"}]}],
 "fixes":[]}
JSON
	out=$("$AIVET" scan --vulns "$TMP/osv.json" --vulns "$TMP/audit.json" "$TMP/v")
	expect_contains "$out" "- id: GHSA-462w-v97r-4m45  # found in $TMP/osv.json"
	expect_contains "$out" "severity: high"
	expect_contains "$out" "fixed_in: 2.10.1"
	expect_contains "$out" "- id: PYSEC-2024-1  # found in $TMP/audit.json"
	rc=0
	out=$("$AIVET" --local -f json check --vulns "$TMP/osv.json" --vulns "$TMP/audit.json" "$TMP/v") || rc=$?
	expect_rc 1 "$rc"
	expect_contains "$out" "GHSA-462w-v97r-4m45"
	# pip-audit gives no severity: the plugin treats it as the worst (fail closed)
	expect_contains "$out" "vulnerability PYSEC-2024-1 of unknown severity (taken as critical)"
	rc=0
	out=$("$AIVET" scan --vulns "$TMP/v/requirements.txt" "$TMP/v" 2>&1 >/dev/null) || rc=$?
	expect_rc 65 "$rc"
	expect_contains "$out" "not JSON"
}

test_usage_and_missing_folders() {
	rc=0
	"$AIVET" scan >/dev/null 2>&1 || rc=$?
	expect_rc 64 "$rc"
	mkdir -p "$TMP/u"
	rc=0
	"$AIVET" scan -f xml "$TMP/u" >/dev/null 2>&1 || rc=$?
	expect_rc 64 "$rc"
	rc=0
	"$AIVET" scan --jobs 0 "$TMP/u" >/dev/null 2>&1 || rc=$?
	expect_rc 64 "$rc"
	rc=0
	out=$("$AIVET" scan "$TMP/nowhere" 2>&1) || rc=$?
	expect_rc 65 "$rc"
	expect_contains "$out" "no such file or folder"
	# an empty folder is a valid, nearly empty manifest
	out=$("$AIVET" scan "$TMP/u")
	expect_contains "$out" "kind: code"
	expect_contains "$out" "version: unknown"
}

test_the_hash_cache_lives_in_the_state_directory() {
	repository "$TMP/c"
	"$AIVET" scan "$TMP/c" >"$TMP/c1.yaml"
	[ -f "$AIVET_STATE_DIR/scan-cache.db" ] || fail "no hash cache"
	[ "$(stat -c %a "$AIVET_STATE_DIR/scan-cache.db")" = 600 ] || fail "the cache is not private"
	"$AIVET" scan "$TMP/c" >"$TMP/c2.yaml"
	cmp "$TMP/c1.yaml" "$TMP/c2.yaml" || fail "a cached scan differs"
	"$AIVET" scan --no-cache "$TMP/c" >"$TMP/c3.yaml"
	cmp "$TMP/c1.yaml" "$TMP/c3.yaml" || fail "an uncached scan differs"
	no_secret "$AIVET_STATE_DIR/scan-cache.db"
}

run_tests
