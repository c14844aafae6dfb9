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
