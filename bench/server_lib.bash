# bench/server_lib.bash: sourced by the server benchmarks.

# wait_port ERRFILE TRIES: the port recapsearch-server (started with
# --listen 127.0.0.1:0 and its stderr in ERRFILE) says it listens on, in
# PORT; waits up to TRIES tenths of a second, then prints ERRFILE and
# exits 1.
wait_port() {
  local _
  PORT=
  for _ in $(seq "$2"); do
    PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$1")
    [ -n "$PORT" ] && return 0
    sleep 0.1
  done
  cat "$1" >&2
  exit 1
}

# first PATH...: the first that exists (else the first given).
first() { for d in "$@"; do [ -e "$d" ] && { echo "$d"; return; }; done; echo "$1"; }

# index_opts CONTENT: in INDEX_OPTS, the options the Istio site is indexed
# with (its params, shortcodes and synonyms in corpus/), none for others.
index_opts() {
  INDEX_OPTS=()
  if [ -f "$1/en/about/_index.md" ] || [[ $1 == *istio* ]]; then
    INDEX_OPTS=(--params corpus/istio-params.yaml --shortcodes corpus/istio-shortcodes.yaml
      --synonyms corpus/istio-synonyms.txt)
  fi
}

# need_wrk: exits 2 with a hint when wrk is missing.
need_wrk() {
  command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 2; }
}
