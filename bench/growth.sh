#!/usr/bin/env bash
# Growth: search index build time, disk size, peak RSS and query latency at
# 1k, 10k and 50k generated pages; cold and warm start of the demo; time
# from a saved file to the page being searchable. Prints a Markdown table.
#   bash bench/growth.sh            (SIZES="1000 10000" to skip 50k)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${SIZES:-"1000 10000 50000"}

echo "| pages | index build | disk | peak RSS | query p50 | query p99 |"
echo "|---:|---:|---:|---:|---:|---:|"
for n in $sizes; do
  line=$(go test ./search -run '^$' -bench 'BenchmarkSearch$' -benchtime 1x -docs "$n" 2>/dev/null | grep '^BenchmarkSearch')
  metric() { echo "$line" | awk -v m="$1" '{for (i = 2; i <= NF; i++) if ($i == m) print $(i-1)}'; }
  printf '| %s | %s s | %s MB | %s MB | %s ms | %s ms |\n' "$n" "$(metric build-s)" "$(metric disk-MB)" "$(metric peak-RSS-MB)" "$(metric p50-ms)" "$(metric p99-ms)"
done

bin=$(mktemp -d)/torg
go build -o "$bin" ./cmd/torg
data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_ms() {
  local t0 t1
  t0=$(date +%s%N)
  "$bin" serve --demo --listen "127.0.0.1:$port" --data "$data" --check-links=false >/dev/null 2>&1 &
  local pid=$!
  until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.005; done
  t1=$(date +%s%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo $(( (t1 - t0) / 1000000 ))
}
cold=$(start_ms)
warm=$(start_ms)
rm -rf "$data"
save=$(go test ./cms/app -run '^$' -bench SaveToSearchable -benchtime 10x 2>/dev/null | awk '/^BenchmarkSaveToSearchable/ {for (i = 2; i <= NF; i++) { if ($i == "ns/op") avg = $(i-1) / 1e6; if ($i == "worst-ms") worst = $(i-1) } printf "%.0f ms average, %s ms worst", avg, worst}')
echo
echo "| demo (60 pages) | value |"
echo "|---|---:|"
echo "| cold start to ready (new data folder, index built) | ${cold} ms |"
echo "| warm start to ready (index reused) | ${warm} ms |"
echo "| saved file to searchable (10 saves) | ${save} |"
