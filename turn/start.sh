#!/usr/bin/env bash
# Starts (or stops) one coturn for firecall: used by `npm start`, the turn tests and the network lab.
#
#   turn/start.sh [start] [options] [-- extra turnserver options]
#   turn/start.sh stop [--pid-file FILE | --port N]
#
# The TURN secret comes from FIRECALL_TURN_SECRET (comma-separated for rotation: new first) or
# --secret (repeatable). It is never printed and never put on coturn's command line (where
# `ps` would show it): it goes into a private (0600) copy of the config next to the pid file,
# removed by `stop`. (coturn reads its config file several times during startup and, if it cannot,
# only warns and runs with defaults: no auth, no denied peers. So the copy stays while coturn
# runs, and startup fails if the log shows coturn missed it.) Everything else is a coturn
# command-line option, which wins over the config file for the options set here (ports, relay
# range, pid file), so the config file's security settings (denied peers, quotas, auth) apply.
set -euo pipefail

self="${BASH_SOURCE[0]}"
[[ "$self" == */* ]] || self="./$self"
here="$(cd "${self%/*}" && pwd)"
run_dir_default="$(cd "$here/.." && pwd)/.firecall/turn"

usage() {
  cat <<EOF
Usage: turn/start.sh [start] [options] [-- extra turnserver options]
       turn/start.sh stop [--pid-file FILE | --port N]

Options (start):
  --config FILE         coturn config (default: turn/turnserver.local.conf;
                        production: turn/turnserver.conf)
  --secret SECRET       TURN REST secret, repeatable (new first). Prefer the environment
                        variable FIRECALL_TURN_SECRET: arguments are visible in ps.
  --listen-ip IP        address to listen on, repeatable (default 127.0.0.1)
  --port N              TURN port, UDP and TCP (default 3478)
  --tls-port N          TLS port (default: the config's; production 443)
  --no-tls              no TLS/DTLS listeners (tests, local use without a certificate)
  --relay-ports MIN-MAX relay port range (default: the config's)
  --host NAME           host name in the printed URLs (default: first --listen-ip)
  --log-file FILE       coturn log (default: .firecall/turn/turnserver-PORT.log)
  --pid-file FILE       pid file (default: .firecall/turn/turnserver-PORT.pid)
  --ready-timeout SEC   how long to wait for coturn to listen (default 15)
  --foreground          stay attached; Ctrl-C stops coturn
  -h, --help            this text
EOF
}

die() { echo "turn/start.sh: $*" >&2; exit 1; }

action=start
case "${1:-}" in
  start) shift ;;
  stop) action=stop; shift ;;
esac

config="$here/turnserver.local.conf"
secrets=()
listen_ips=()
port=3478
tls_port=""
no_tls=0
relay_ports=""
host=""
log_file=""
pid_file=""
ready_timeout=15
foreground=0
extra=()

need_value() { [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value (see --help)"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --config) need_value "$@"; config="$2"; shift 2 ;;
    --secret) need_value "$@"; secrets+=("$2"); shift 2 ;;
    --listen-ip) need_value "$@"; listen_ips+=("$2"); shift 2 ;;
    --port) need_value "$@"; port="$2"; shift 2 ;;
    --tls-port) need_value "$@"; tls_port="$2"; shift 2 ;;
    --no-tls) no_tls=1; shift ;;
    --relay-ports) need_value "$@"; relay_ports="$2"; shift 2 ;;
    --host) need_value "$@"; host="$2"; shift 2 ;;
    --log-file) need_value "$@"; log_file="$2"; shift 2 ;;
    --pid-file) need_value "$@"; pid_file="$2"; shift 2 ;;
    --ready-timeout) need_value "$@"; ready_timeout="$2"; shift 2 ;;
    --foreground) foreground=1; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

is_port() { [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le 65535 ]; }
is_port "$port" || die "--port must be 1-65535, got '$port'"
[ -z "$tls_port" ] || is_port "$tls_port" || die "--tls-port must be 1-65535, got '$tls_port'"
[[ "$ready_timeout" =~ ^[0-9]+$ ]] || die "--ready-timeout must be whole seconds, got '$ready_timeout'"
pid_file="${pid_file:-$run_dir_default/turnserver-$port.pid}"
private_config="$pid_file.conf"

# ---------------------------------------------------------------- stop
is_our_coturn() { [ -r "/proc/$1/comm" ] && [ "$(cat "/proc/$1/comm")" = turnserver ]; }

stop_coturn() {
  if [ ! -f "$pid_file" ]; then
    echo "coturn: no pid file $pid_file, nothing to stop"
    return 0
  fi
  local pid
  pid="$(tr -dc '0-9' < "$pid_file")"
  if [ -z "$pid" ] || ! is_our_coturn "$pid"; then
    echo "coturn: pid ${pid:-?} from $pid_file is not running turnserver; removing the stale pid file"
    rm -f "$pid_file" "$private_config"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do is_our_coturn "$pid" || break; sleep 0.1; done
  if is_our_coturn "$pid"; then
    echo "coturn: pid $pid ignored SIGTERM for 5 s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pid_file" "$private_config"
  echo "coturn stopped (pid $pid)"
}

if [ "$action" = stop ]; then
  stop_coturn
  exit 0
fi

# ---------------------------------------------------------------- start: check inputs
command -v turnserver >/dev/null 2>&1 ||
  die "coturn is not installed (no 'turnserver' on PATH). Install it: sudo apt-get install coturn"
[ -r "$config" ] || die "config file '$config' not found or not readable"
config="$(cd "$(dirname "$config")" && pwd)/$(basename "$config")"

if [ ${#secrets[@]} -eq 0 ] && [ -n "${FIRECALL_TURN_SECRET:-}" ]; then
  IFS=',' read -r -a secrets <<< "$FIRECALL_TURN_SECRET"
fi
[ ${#secrets[@]} -gt 0 ] ||
  die "no TURN secret: set FIRECALL_TURN_SECRET (the same value as the Functions secret TURN_SECRET) or pass --secret"
for secret in "${secrets[@]}"; do
  # The secret becomes a config line: a newline or space would inject or truncate options.
  [[ "$secret" =~ ^[A-Za-z0-9+/=_.~-]{16,}$ ]] ||
    die "a TURN secret must be at least 16 characters of A-Z a-z 0-9 + / = _ . ~ - (one was not; it is not shown)"
done
if grep -Eq '^[[:space:]]*static-auth-secret' "$config"; then
  die "$config already contains a static-auth-secret line; remove it and pass the secret through FIRECALL_TURN_SECRET"
fi

[ ${#listen_ips[@]} -gt 0 ] || listen_ips=(127.0.0.1)
if [ -n "$relay_ports" ]; then
  [[ "$relay_ports" =~ ^([0-9]+)-([0-9]+)$ ]] || die "--relay-ports must look like 49152-49999, got '$relay_ports'"
  min_port="${BASH_REMATCH[1]}"; max_port="${BASH_REMATCH[2]}"
  is_port "$min_port" && is_port "$max_port" && [ "$min_port" -le "$max_port" ] ||
    die "--relay-ports must be MIN-MAX within 1-65535, got '$relay_ports'"
fi

mkdir -p "$(dirname "$pid_file")"
log_file="${log_file:-$(dirname "$pid_file")/turnserver-$port.log}"
mkdir -p "$(dirname "$log_file")"

if [ -f "$pid_file" ]; then
  old_pid="$(tr -dc '0-9' < "$pid_file")"
  if [ -n "$old_pid" ] && is_our_coturn "$old_pid"; then
    die "coturn already running with pid $old_pid ($pid_file); stop it first: turn/start.sh stop --pid-file $pid_file"
  fi
  rm -f "$pid_file"
fi

# ---------------------------------------------------------------- start: private config copy
(
  umask 077
  {
    cat "$config"
    echo
    echo "# added by turn/start.sh from FIRECALL_TURN_SECRET / --secret; \`turn/start.sh stop\` deletes this copy"
    for secret in "${secrets[@]}"; do echo "static-auth-secret=$secret"; done
  } > "$private_config"
)

args=(-c "$private_config" --pidfile "$pid_file" --log-file "$log_file" --simple-log --no-stdout-log -p "$port")
for ip in "${listen_ips[@]}"; do args+=(-L "$ip"); done
[ -z "$tls_port" ] || args+=(--tls-listening-port "$tls_port")
[ "$no_tls" = 0 ] || args+=(--no-tls --no-dtls)
[ -z "$relay_ports" ] || args+=(--min-port "$min_port" --max-port "$max_port")
args+=("${extra[@]}")

: > "$log_file"
# stdout only repeats the usage text; stderr (e.g. "unrecognized option") goes to the log.
turnserver "${args[@]}" > /dev/null 2>> "$log_file" &
pid=$!
echo "$pid" > "$pid_file"

# ---------------------------------------------------------------- start: wait until it listens
has_extra() { local a; for a in "${extra[@]}"; do [ "$a" = "$1" ] && return 0; done; return 1; }
probe_ip="${listen_ips[0]}"
case "$probe_ip" in 0.0.0.0) probe_ip=127.0.0.1 ;; ::) probe_ip=::1 ;; esac
# Ready = coturn ITSELF holds the port (another program on it would fool a plain connect).
listening() {
  if command -v ss >/dev/null 2>&1; then
    local proto=-t
    has_extra --no-tcp && proto=-u
    ss -Hlnp "$proto" "sport = :$port" 2>/dev/null | grep -q "pid=$pid,"
  else
    grep -q 'Relay ports initialization done' "$log_file" && (exec 3<>"/dev/tcp/$probe_ip/$port") 2>/dev/null
  fi
}
fail_start() {
  echo "turn/start.sh: $1; from $log_file:" >&2
  { grep -iE 'unrecognized|invalid|error|cannot bind|errno' "$log_file" || tail -n 15 "$log_file"; } | tail -n 10 >&2 || true
  stop_coturn > /dev/null
  exit 1
}

deadline=$(( $(date +%s) + ready_timeout ))
until listening; do
  [ -r "/proc/$pid/stat" ] && ! grep -q '^[0-9]* (.*) Z' "/proc/$pid/stat" || fail_start "coturn exited during startup"
  grep -q 'errno=98' "$log_file" && fail_start "port $port is already in use on ${listen_ips[*]}"
  [ "$(date +%s)" -lt "$deadline" ] ||
    fail_start "coturn did not listen on $probe_ip:$port within $ready_timeout s (address not on this host?)"
  sleep 0.1
done
grep -q 'Cannot find config file' "$log_file" &&
  fail_start "coturn could not read its config and would run without auth or peer rules; refusing"

# ---------------------------------------------------------------- start: tell the user
url_host="${host:-${listen_ips[0]}}"
[[ "$url_host" == *:* && "$url_host" != \[* ]] && url_host="[$url_host]"
if [ "$no_tls" = 0 ] && [ -z "$tls_port" ]; then
  tls_port="$(sed -nE 's/^[[:space:]]*tls-listening-port[[:space:]]*=[[:space:]]*([0-9]+).*/\1/p' "$config" | tail -n 1)"
fi
echo "coturn started: pid $pid, config $config, log $log_file"
echo "TURN URLs:"
has_extra --no-udp || echo "  turn:$url_host:$port?transport=udp"
has_extra --no-tcp || echo "  turn:$url_host:$port?transport=tcp"
if [ "$no_tls" = 0 ] && [ -n "$tls_port" ]; then
  if grep -q 'cannot start TLS' "$log_file"; then
    echo "  (no turns: URL: coturn could not load the certificate/key named in $config, see $log_file)"
  else
    echo "  turns:$url_host:$tls_port?transport=tcp   (needs a certificate the browser trusts)"
  fi
fi
echo "stop: $0 stop --pid-file $pid_file"

if [ "$foreground" = 1 ]; then
  trap 'stop_coturn; exit 0' INT TERM
  while kill -0 "$pid" 2>/dev/null; do sleep 1; done
  rm -f "$pid_file"
  echo "coturn (pid $pid) exited; see $log_file" >&2
  exit 1
fi
