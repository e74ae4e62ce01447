#!/bin/sh
# A session against aivetd's HTTP gateway with curl.  Enable the gateway in
# aivetd's configuration first (see docs/build-tools.md):
#   http: {enabled: true, listen: "http://127.0.0.1:7450", token: "change-me"}
#   examples/scripts/curl-session.sh examples/manifests/phi-2.yaml
set -eu
URL=${AIVET_HTTP:-http://127.0.0.1:7450}
TOKEN=${AIVET_HTTP_TOKEN:-}
manifest=${1:?usage: curl-session.sh MANIFEST}

echo "== health"
curl -sf "$URL/v1/health"; echo
echo "== evaluate (the body is the manifest, YAML or JSON)"
curl -sf --data-binary @"$manifest" -H 'Content-Type: application/yaml' \
	"$URL/v1/evaluate?profile=default" >/tmp/aivet-eval.$$
cat /tmp/aivet-eval.$$; echo
name=$(sed -n 's/.*"component":{"name":"\([^"]*\)".*/\1/p' /tmp/aivet-eval.$$)
rm -f /tmp/aivet-eval.$$
echo "== the stored verdict of $name"
curl -sf "$URL/v1/verdicts/$name"; echo
echo "== every component"
curl -sf "$URL/v1/components"; echo
echo "== metrics"
curl -sf "$URL/metrics" | grep -E '^aivet_(verdicts_total|requests_total\{op="evaluate"\})'
if [ -n "$TOKEN" ]; then
	echo "== reload (a write: needs the token)"
	curl -sf -X POST -H "Authorization: Bearer $TOKEN" "$URL/v1/reload"; echo
fi
