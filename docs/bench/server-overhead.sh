#!/usr/bin/env bash
# Server overhead per image (issue 5's "below 5 %" target): for each call, the client's wall time
# (curl, request to last byte) against the engine time the server recorded for that call
# (provenance `elapsed_ms`: engine.generate only). The rest is JSON parsing, validation, PNG
# encoding, base64, storage (blob fsync + row) and HTTP.
# Usage: docs/bench/server-overhead.sh MODEL_DIR [SIZE] [STEPS] [RUNS] [RESPONSE_FORMAT]
set -euo pipefail
model="$1"; size="${2:-128x128}"; steps="${3:-10}"; runs="${4:-10}"; format="${5:-b64_json}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
data="$(mktemp -d)"; port=18124
"$root/atelier" serve --model "$model" --data-dir "$data" --port "$port" >"$data/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
until grep -q "listening" "$data/serve.log"; do sleep 0.2; done
base="http://127.0.0.1:$port/v1"
call() {
  curl -s -o "$data/out.json" -w '%{time_total}' "$base/images/generations" \
    -H 'Content-Type: application/json' \
    -d "{\"prompt\":\"a white ceramic coffee cup $1\",\"size\":\"$size\",\"steps\":$steps,\"seed\":7,\"response_format\":\"$format\"}"
}
call warmup >/dev/null; call warmup2 >/dev/null
echo "run,wall_ms,engine_ms,overhead_ms,overhead_pct"
for r in $(seq 1 "$runs"); do
  wall=$(call "r$r")
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["data"][0]["id"])' "$data/out.json")
  engine=$(curl -s "$base/images/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["provenance"]["elapsed_ms"])')
  awk -v r="$r" -v w="$wall" -v e="$engine" \
    'BEGIN{ms=w*1000; printf "%d,%.1f,%d,%.1f,%.2f\n", r, ms, e, ms-e, 100*(ms-e)/ms}'
done
