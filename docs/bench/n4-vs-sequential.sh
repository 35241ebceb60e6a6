#!/usr/bin/env bash
# The guide's "n=4 in one call vs 4 calls" comparison (docs/benchmarks.md), on one machine:
#   A) one warm server, n=4 in one call;  B) same server, 4 sequential n=1 calls;
#   C) 4 separate cold `atelier generate` runs (JVM start + model load + encoding paid each time).
# Usage: docs/bench/n4-vs-sequential.sh MODEL_DIR [SIZE] [STEPS] [RUNS]
set -euo pipefail
model="$1"; size="${2:-128x128}"; steps="${3:-10}"; runs="${4:-5}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
data="$(mktemp -d)"; port=18123
"$root/atelier" serve --model "$model" --data-dir "$data" --port "$port" >"$data/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
until grep -q "listening" "$data/serve.log"; do sleep 0.2; done
post() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/images/generations" \
  -H 'Content-Type: application/json' -d "{\"prompt\":\"a white ceramic coffee cup $1\",\"n\":$2,\"size\":\"$size\",\"steps\":$steps,\"seed\":7}"; }
now() { date +%s.%N; }
post warmup 4 >/dev/null; post warmup 1 >/dev/null
echo "run,n4_one_call_s,four_sequential_s,four_cold_generate_s"
for r in $(seq 1 "$runs"); do
  t0=$(now); post "a$r" 4 >/dev/null; t1=$(now)
  for i in 1 2 3 4; do post "b$r$i" 1 >/dev/null; done; t2=$(now)
  cold=""
  if [ "$r" -le 2 ]; then
    t3=$(now)
    for i in 1 2 3 4; do
      "$root/atelier" generate "a white ceramic coffee cup c$r$i" --model "$model" --size "$size" \
        --steps "$steps" --seed 7 --out "$data/cold" --quiet >/dev/null
    done
    t4=$(now); cold=$(awk "BEGIN{print $t4-$t3}")
  fi
  echo "$r,$(awk "BEGIN{print $t1-$t0}"),$(awk "BEGIN{print $t2-$t1}"),$cold"
done
