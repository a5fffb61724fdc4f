#!/usr/bin/env bash
# Signed-in page views: Torg against nginx serving the same pages, rendered
# by Torg for the same person and saved as static files, on this machine in
# the same run. wrk, 64 connections, two threads, over eight pages in turn.
# Prints one Markdown table row; DURATION (20s) per server.
#   bash bench/pages.sh
# Needs nginx and wrk (apt-get install nginx wrk); loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-20s}
for tool in nginx wrk curl; do
  command -v "$tool" >/dev/null || { echo "bench/pages.sh needs $tool: apt-get install nginx wrk curl" >&2; exit 1; }
done
work=$(mktemp -d)
chmod 755 "$work" # nginx's workers read the pages as another user
torg_pid= nginx_started=
cleanup() {
  [ -n "$torg_pid" ] && kill "$torg_pid" 2>/dev/null && wait "$torg_pid" 2>/dev/null
  [ -n "$nginx_started" ] && nginx -c "$work/nginx.conf" -s quit 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

go build -o "$work/torg" ./cmd/torg
tport=$(free_port)
torg="http://127.0.0.1:$tport"
# Production settings apart from the demo sign-in: request logs on, to a file.
"$work/torg" serve --demo --listen "127.0.0.1:$tport" --data "$work/data" --check-links=false \
  --log-format json >"$work/torg.log" 2>&1 &
torg_pid=$!
until curl -fs "$torg/readyz" >/dev/null 2>&1; do sleep 0.05; done

# Sign in as Sara (a substitute) through the demo provider, as a browser does.
jar="$work/cookies"
login=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$torg/auth/login?return=/")
page=$(curl -s -L -c "$jar" -b "$jar" -w '\n%{url_effective}' "$login")
form_url=$(tail -n1 <<<"$page")
request_id=$(grep -o 'name="authRequestID" value="[^"]*"' <<<"$page" | head -n1 | sed 's/.*value="//; s/"$//')
curl -s -L -c "$jar" -b "$jar" -o /dev/null \
  --data-urlencode "authRequestID=$request_id" --data "person=sara" --data "level=password" \
  "${form_url%%\?*}"
cookie=$(awk '$1 ~ /127\.0\.0\.1/ && $6 ~ /session/ {print $6 "=" $7}' "$jar" | tail -n1)
[ -n "$cookie" ] || { echo "bench/pages.sh: the sign-in did not give a session cookie" >&2; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$torg/api/v1/me")" = 200 ] || { echo "bench/pages.sh: the session does not work" >&2; exit 1; }

# The pages, as Torg renders them for Sara, saved for nginx.
paths=(/ /vikarie /vikarie/boka-pass /inloggning /inloggning/glomt-losenord /nyheter /kontakt/lonesupport /jobb/timvikarier-skola)
mkdir -p "$work/www"
for p in "${paths[@]}"; do
  file="$work/www${p%/}.html"
  [ "$p" = / ] && file="$work/www/index.html"
  mkdir -p "$(dirname "$file")"
  status=$(curl -s -o "$file" -w '%{http_code}' -H "Cookie: $cookie" "$torg$p")
  [ "$status" = 200 ] || { echo "bench/pages.sh: $p answered $status for Sara" >&2; exit 1; }
done

nport=$(free_port)
cat >"$work/nginx.conf" <<EOF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type text/html;
  sendfile on;
  access_log $work/nginx-access.log;
  client_body_temp_path $work/nginx-body;
  proxy_temp_path $work/nginx-proxy;
  fastcgi_temp_path $work/nginx-fastcgi;
  uwsgi_temp_path $work/nginx-uwsgi;
  scgi_temp_path $work/nginx-scgi;
  server {
    listen 127.0.0.1:$nport;
    root $work/www;
    location = / { try_files /index.html =404; }
    location / { try_files \$uri.html =404; }
  }
}
EOF
nginx -c "$work/nginx.conf"
nginx_started=1
nginx_url="http://127.0.0.1:$nport"
for _ in $(seq 1 100); do curl -fs "$nginx_url/vikarie" >/dev/null 2>&1 && break; sleep 0.05; done
curl -fs "$nginx_url/vikarie" >/dev/null || { echo "bench/pages.sh: nginx does not serve the pages; see $work/nginx-error.log" >&2; exit 1; }
cmp -s <(curl -s "$nginx_url/vikarie/boka-pass") <(curl -s -H "Cookie: $cookie" "$torg/vikarie/boka-pass") ||
  echo "note: Torg's page differs from the saved copy (dates or tokens on the page)" >&2

lua="$work/pages.lua"
{
  echo 'local paths = {'
  for p in "${paths[@]}"; do echo "  \"$p\","; done
  echo '}'
  cat <<'EOF'
local i = 0
local cookie = os.getenv("BENCH_COOKIE") or ""
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], { ["Cookie"] = cookie })
end
EOF
} >"$lua"

# run URL: wrk's requests per second, p99 in ms and non-2xx answers.
run() {
  BENCH_COOKIE="$cookie" wrk -t2 -c64 -d3s -s "$lua" "$1" >/dev/null # warm up
  local out
  out=$(BENCH_COOKIE="$cookie" wrk -t2 -c64 -d"$duration" --latency -s "$lua" "$1")
  local rps p99 non2xx
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {v = $2; if (v ~ /us$/) {sub(/us$/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms$/, "", v)} else if (v ~ /s$/) {sub(/s$/, "", v); v *= 1000}; print v}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  echo "$rps ${p99:-?} ${non2xx:-0}"
}
read -r t_rps t_p99 t_bad < <(run "$torg")
read -r n_rps n_p99 n_bad < <(run "$nginx_url")
if [ "$t_bad" != 0 ] || [ "$n_bad" != 0 ]; then
  echo "bench/pages.sh: non-2xx answers: Torg $t_bad, nginx $n_bad" >&2
  exit 1
fi
ratio=$(awk -v a="$t_rps" -v b="$n_rps" 'BEGIN {printf "%.2f", a / b}')
printf '| signed-in page views, wrk 64 connections, %s | %.0f req/s, p99 %s ms | nginx, same pages as files: %.0f req/s, p99 %s ms | %s× | ≥ 0.6× |\n' \
  "$duration" "$t_rps" "$t_p99" "$n_rps" "$n_p99" "$ratio"
