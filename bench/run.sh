#!/usr/bin/env bash
# Torg against its peers on this machine, in one run, as Markdown:
#   - signed-in page views against nginx serving the same pages (bench/pages.sh);
#   - search over 10,000 generated pages against PostgreSQL full-text search
#     (BenchmarkSearchVsPostgres in search/);
#   - growth: index size, build time, RSS, start and save-to-searchable (bench/growth.sh).
#   bash bench/run.sh                (SIZES="1000 10000" bash bench/run.sh skips 50k)
# Needs nginx and wrk (apt-get install nginx wrk) and the PostgreSQL server
# of the tests (TORG_TEST_POSTGRES, default the local "test" database).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(go version | awk '{print $3}'), $(nginx -v 2>&1 | sed 's/.*: //'), PostgreSQL $(psql -V | awk '{print $3}'):"
echo
echo "| benchmark | Torg | peer | Torg against the peer | goal |"
echo "|---|---:|---:|---:|---:|"
bash bench/pages.sh
line=$(go test ./search -run '^$' -bench 'BenchmarkSearchVsPostgres$' -benchtime 1x 2>/dev/null | grep '^BenchmarkSearchVsPostgres')
metric() { awk -v m="$1" '{for (i = 2; i <= NF; i++) if ($i == m) print $(i-1)}' <<<"$line"; }
tp50=$(metric torg-p50-ms) tp99=$(metric torg-p99-ms) pp50=$(metric pg-p50-ms) pp99=$(metric pg-p99-ms)
faster() { awk -v a="$1" -v b="$2" 'BEGIN {if (b >= a) printf "%.1f× faster", b / a; else printf "%.1f× slower", a / b}'; }
echo "| search p50, 1,000 queries, 10,000 pages | $tp50 ms | PostgreSQL FTS (swedish, GIN): $pp50 ms | $(faster "$tp50" "$pp50") | ≥ 2× faster |"
echo "| search p99, same queries | $tp99 ms | PostgreSQL FTS: $pp99 ms | $(faster "$tp99" "$pp99") | ≥ 2× faster |"
echo
bash bench/growth.sh
