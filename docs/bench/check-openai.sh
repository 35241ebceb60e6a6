#!/usr/bin/env bash
# Manual check of a real OpenAI account behind Atelier (never run by the tests).
#   OPENAI_API_KEY=sk-... docs/bench/check-openai.sh             # doctor only: spends nothing
#   OPENAI_API_KEY=sk-... docs/bench/check-openai.sh --generate  # plus one low-quality image
# Honours OPENAI_BASE_URL and ATELIER_UPSTREAM_MODEL like `atelier serve --engine openai`.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
if [ -z "${OPENAI_API_KEY:-}" ]; then
  echo "set OPENAI_API_KEY first" >&2; exit 2
fi
"$root/atelier" doctor --engine openai
[ "${1:-}" = "--generate" ] || exit 0
data="$(mktemp -d)"; port=18125
"$root/atelier" serve --engine openai --data-dir "$data" --port "$port" >"$data/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
until grep -q "listening" "$data/serve.log"; do
  kill -0 $server 2>/dev/null || { cat "$data/serve.log" >&2; exit 1; }
  sleep 0.2
done
echo "one low-quality 1024x1024 image through a session (costs a few cents):"
curl -s "http://127.0.0.1:$port/v1/sessions" -H 'Content-Type: application/json' \
  -d '{"prompt":"a white ceramic coffee cup on a dark wooden table","quality":"low","size":"1024x1024"}' \
  | python3 -c 'import json,sys; s=json.load(sys.stdin); print("session", s.get("id"), "usage", s.get("usage"), "cost_usd", s.get("cost_usd"), s.get("cost_note", "")); e=s.get("error"); e and print("error:", e)'
