#!/usr/bin/env bash
# Builds the so-connector image and proves it (docs/deploy.md, "How the image is verified"): runs
# Redis, the simulator, the receiver and two workers as containers the way docker-compose.yml
# declares them, runs the demo against them and checks what a deployment needs. Exits non-zero
# with a line `docker-smoke: FAIL: ...` naming the first check that failed.
#   bash scripts/docker-smoke.sh        (as root where it must install or start Docker; CI does)
# Needs the workspace's node_modules (`pnpm install`) for the yaml parser of compose-run.mjs.
#
# The engine: the running one if `docker info` answers; otherwise it installs Debian's docker.io
# (and debootstrap) when missing and starts `dockerd --iptables=false --bridge=none` (overlay2
# where the kernel has overlayfs), stopped again at the end. Containers and builds then use the
# host's network, so every service listens on a free port picked here.
# Base images: the Dockerfile's NODE_IMAGE and compose's REDIS_IMAGE, pulled when a registry
# answers; else stand-ins built here with exactly those tags (Debian bookworm from debootstrap
# with this machine's node, npm and CA certificates and a `node` user of uid 1000; Redis from
# Debian's redis-server). They stay in the engine's image store: a second run reuses them and
# the build's cached layers. With `docker compose` available the services run under Compose.
set -euo pipefail
cd "$(dirname "$0")/.."

{ # one compound command: bash reads it whole before running it, so editing the file mid-run is safe

IMAGE="${SO_CONNECTOR_IMAGE:-so-connector:local}"
PROJECT=so-smoke
STANDIN_BASE=so-connector-smoke/bookworm:latest
STANDIN_LABEL=so-connector.smoke.stand-in
START=$(date +%s)
WORK=$(mktemp -d /tmp/so-docker-smoke.XXXXXX)
DOCKERD_PID=""
CONTAINERS=()

say() { printf 'docker-smoke: %s\n' "$*"; }
step() { printf '\n==> docker-smoke: %s (%ss)\n' "$*" "$(($(date +%s) - START))"; }
fail() {
  printf 'docker-smoke: FAIL: %s\n' "$*" >&2
  exit 1
}
pass() { printf 'docker-smoke: PASS %s\n' "$*"; }

cleanup() {
  local code=$?
  set +e
  if [ "$code" -ne 0 ] && [ "${#CONTAINERS[@]}" -gt 0 ]; then
    for c in "${CONTAINERS[@]}"; do
      printf '\n--- last log lines of %s ---\n' "$c" >&2
      docker logs --tail 25 "$c" >&2 2>&1
    done
  fi
  remove_containers
  if [ -n "$DOCKERD_PID" ]; then
    say "stopping the dockerd this script started (pid $DOCKERD_PID)"
    kill "$DOCKERD_PID" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.2; done
  fi
  rm -rf "$WORK"
  say "finished in $(($(date +%s) - START)) s with exit code $code"
  exit "$code"
}
remove_containers() {
  if [ -n "${COMPOSE:-}" ]; then
    compose --profile demo down -v --remove-orphans >/dev/null 2>&1 || true
  else
    docker rm -f "${PROJECT}-redis" "${PROJECT}-simulator" "${PROJECT}-receiver" \
      "${PROJECT}-worker-1" "${PROJECT}-worker-2" "${PROJECT}-demo" "${PROJECT}-cli" >/dev/null 2>&1 || true
    docker volume rm "${PROJECT}-redis-data" "${PROJECT}-spool" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

apt_install() {
  [ "$(id -u)" = 0 ] || fail "needs root to install $* (or install it yourself)"
  say "installing $*"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# ---------------------------------------------------------------------------------------------
step "Docker engine"
if ! docker info >/dev/null 2>&1; then
  command -v dockerd >/dev/null 2>&1 || apt_install docker.io
  [ "$(id -u)" = 0 ] || fail "no Docker engine answers and starting one needs root"
  driver=vfs
  grep -qw overlay /proc/filesystems && driver=overlay2
  say "no engine answers: starting dockerd (storage driver $driver, host network only)"
  dockerd --iptables=false --bridge=none --storage-driver="$driver" \
    --pidfile /var/run/so-smoke-dockerd.pid >"$WORK/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  for _ in $(seq 1 150); do docker info >/dev/null 2>&1 && break; sleep 0.2; done
  docker info >/dev/null 2>&1 || { cat "$WORK/dockerd.log" >&2; fail "dockerd did not start"; }
fi
docker version --format 'engine {{.Server.Version}}, client {{.Client.Version}}'
say "storage driver $(docker info --format '{{.Driver}}'), root $(docker info --format '{{.DockerRootDir}}')"

COMPOSE=""
# Compose where it is installed, on an engine with its usual networks (not the one started here).
if [ -z "$DOCKERD_PID" ] && docker compose version >/dev/null 2>&1; then COMPOSE=1; fi
compose() { docker compose -p "$PROJECT" --env-file docker/demo.env "$@"; }
# Without buildx the client's BuildKit path is unavailable: use the classic builder.
if ! docker buildx version >/dev/null 2>&1; then export DOCKER_BUILDKIT=0; fi
remove_containers # a previous run that was killed may have left some

# ---------------------------------------------------------------------------------------------
NODE_IMAGE=$(sed -n 's/^ARG NODE_IMAGE=//p' Dockerfile)
REDIS_IMAGE=$(sed -n 's/.*image: \${REDIS_IMAGE:-\([^}]*\)}.*/\1/p' docker-compose.yml)
[ -n "$NODE_IMAGE" ] && [ -n "$REDIS_IMAGE" ] || fail "cannot read NODE_IMAGE from Dockerfile or REDIS_IMAGE from docker-compose.yml"
step "base images $NODE_IMAGE and $REDIS_IMAGE"

is_standin() { [ -n "$(docker image inspect -f "{{index .Config.Labels \"$STANDIN_LABEL\"}}" "$1" 2>/dev/null)" ]; }

standin_base() {
  if docker image inspect "$STANDIN_BASE" >/dev/null 2>&1; then return; fi
  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap debian-archive-keyring
  local mirror rootfs="$WORK/rootfs"
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  mirror=${mirror:-$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null)}
  [ -n "$mirror" ] || fail "no Debian mirror in this machine's apt sources for debootstrap"
  say "debootstrap bookworm (minbase) from this machine's Debian mirror"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" "$mirror" \
    >"$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log" >&2; fail "debootstrap"; }
  # The CA certificates this machine trusts beyond Debian's (its local CA directory).
  cp -a /usr/local/share/ca-certificates/. "$rootfs/usr/local/share/ca-certificates/" 2>/dev/null || true
  chroot "$rootfs" update-ca-certificates >/dev/null 2>&1
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log
  tar -C "$rootfs" -c . | docker import \
    -c "LABEL $STANDIN_LABEL=debootstrap" -c 'CMD ["bash"]' - "$STANDIN_BASE" >/dev/null
  rm -rf "$rootfs"
}

standin_node() {
  standin_base
  local ctx="$WORK/node-context" node npm_root
  node=$(readlink -f "$(command -v node)")
  npm_root=$(npm root -g)
  mkdir -p "$ctx/lib"
  cp "$node" "$ctx/node"
  for pkg in npm corepack; do [ -d "$npm_root/$pkg" ] && cp -a "$npm_root/$pkg" "$ctx/lib/"; done
  [ -d "$ctx/lib/npm" ] || fail "no npm next to this machine's node ($npm_root)"
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $STANDIN_BASE
COPY node /usr/local/bin/node
COPY lib/ /usr/local/lib/node_modules/
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && if [ -d /usr/local/lib/node_modules/corepack ]; then ln -s ../lib/node_modules/corepack/dist/corepack.js /usr/local/bin/corepack; fi \
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
LABEL $STANDIN_LABEL="this machine's node $(node --version)"
CMD ["node"]
DOCKERFILE
  docker build --network host -t "$NODE_IMAGE" "$ctx" >"$WORK/standin.log" 2>&1 ||
    { tail -20 "$WORK/standin.log" >&2; fail "building the stand-in $NODE_IMAGE"; }
  rm -rf "$ctx"
}

standin_redis() {
  standin_base
  local ctx="$WORK/redis-context"
  mkdir -p "$ctx"
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $STANDIN_BASE
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null \
 && rm -rf /var/lib/apt/lists/* && mkdir -p /data && chown redis:redis /data
WORKDIR /data
USER redis
LABEL $STANDIN_LABEL="Debian's redis-server"
CMD ["redis-server"]
DOCKERFILE
  docker build --network host -t "$REDIS_IMAGE" "$ctx" >"$WORK/standin.log" 2>&1 ||
    { tail -20 "$WORK/standin.log" >&2; fail "building the stand-in $REDIS_IMAGE"; }
  rm -rf "$ctx"
}

# A real image present stays; else a pull; else the stand-in (rebuilt from cache when it exists,
# so a change of this machine's node reaches it).
base_image() {
  local image=$1 standin=$2
  if docker image inspect "$image" >/dev/null 2>&1 && ! is_standin "$image"; then
    say "$image: present"
  elif ! is_standin "$image" && docker pull -q "$image" >/dev/null 2>"$WORK/pull.log"; then
    say "$image: pulled"
  else
    [ -s "$WORK/pull.log" ] && say "$image: cannot pull ($(head -c 200 "$WORK/pull.log" | tr '\n' ' '))"
    "$standin"
    say "$image: stand-in ($(docker image inspect -f "{{index .Config.Labels \"$STANDIN_LABEL\"}}" "$image"))"
  fi
  rm -f "$WORK/pull.log"
}
base_image "$NODE_IMAGE" standin_node
base_image "$REDIS_IMAGE" standin_redis

# ---------------------------------------------------------------------------------------------
step "docker build -t $IMAGE ."
build_start=$(date +%s)
docker build --network host -t "$IMAGE" . >"$WORK/build.log" 2>&1 || {
  tail -40 "$WORK/build.log" >&2
  fail "docker build"
}
say "built in $(($(date +%s) - build_start)) s"

step "the image"
size=$(docker image inspect -f '{{.Size}}' "$IMAGE")
base_size=$(docker image inspect -f '{{.Size}}' "$NODE_IMAGE")
say "image size $((size / 1000000)) MB: base $NODE_IMAGE $((base_size / 1000000)) MB + apps $(((size - base_size) / 1000000)) MB"
[ "$(docker image inspect -f '{{.Config.User}}' "$IMAGE")" = node ] || fail "the image's USER is not node"
pass "USER node"
# The runtime holds no compiler, no pnpm (nor its store) and no sources.
leftovers=$(docker run --rm --network none --entrypoint sh "$IMAGE" -c '
  for tool in pnpm gcc cc c++ make tsc; do command -v "$tool"; done
  ls -d /pnpm /src /root/.local/share/pnpm /home/node/.local/share/pnpm 2>/dev/null
  find /app -path "*/node_modules" -prune -o \( -name src -o -name "tsconfig*.json" -o -name "*.ts" ! -name "*.d.ts" \) -print
  find /app -path "*/@so-connector/*" \( -name src -o -name "*.ts" ! -name "*.d.ts" \) -print
  find /app -path "*/node_modules/.pnpm/typescript@*" -maxdepth 4 -print' 2>&1) || true
[ -z "$leftovers" ] || fail "the runtime stage holds build tools or sources: $(echo "$leftovers" | head -5 | tr '\n' ' ')"
pass "no compiler, no pnpm, no pnpm store, no sources in the runtime stage"
# Every package in the image's bundles at the lockfile's version.
docker run --rm --network none --entrypoint sh "$IMAGE" -c 'ls /app/*/node_modules/.pnpm' >"$WORK/bundled.txt"
node docker/smoke/lockfile-versions.mjs pnpm-lock.yaml "$WORK/bundled.txt" ||
  fail "the image's packages differ from pnpm-lock.yaml"

# ---------------------------------------------------------------------------------------------
step "containers"
# Free ports on this machine (the host network is shared with everything else that runs here).
read -r REDIS_PORT RECEIVER_PORT SIM_PORT WORKER1_PORT WORKER2_PORT < <(node -e '
  const net = require("node:net");
  const servers = Array.from({ length: 5 }, () => net.createServer().listen(0, "127.0.0.1"));
  Promise.all(servers.map((s) => new Promise((r) => s.on("listening", r)))).then(() => {
    console.log(servers.map((s) => s.address().port).join(" "));
    servers.forEach((s) => s.close());
  });')
say "ports: redis $REDIS_PORT, receiver $RECEIVER_PORT, simulator $SIM_PORT, workers $WORKER1_PORT $WORKER2_PORT"
export SO_ENV_FILE=docker/demo.env SO_CONNECTOR_IMAGE="$IMAGE" REDIS_IMAGE="$REDIS_IMAGE"

# One service of docker-compose.yml as a container (detached unless --rm is given first).
run_service() {
  local mode=-d
  if [ "$1" = --rm ]; then mode=--rm; shift; fi
  local service=$1 name=$2
  shift 2
  local -a args
  mapfile -t args < <(node docker/smoke/compose-run.mjs "$service" --project "$PROJECT" \
    --env-out "$WORK/$name.env" --port "redis=$REDIS_PORT" --port "receiver=$RECEIVER_PORT" \
    --port "simulator=$SIM_PORT" "$@")
  [ "${#args[@]}" -gt 0 ] || fail "compose-run.mjs $service"
  [ "$mode" = -d ] && CONTAINERS+=("$name")
  docker run "$mode" --name "$name" "${args[@]}"
}

if [ -n "$COMPOSE" ]; then
  # Compose publishes only the receiver and the simulator; the rest is reached with docker exec.
  export RECEIVER_PORT SIM_PUBLISHED_PORT=$SIM_PORT
  compose --profile demo up -d --no-build --scale worker=2 redis simulator receiver worker
  REDIS_PORT=6379
  WORKER1_PORT=9464 WORKER2_PORT=9464
  mapfile -t CONTAINERS < <(compose ps -q redis simulator receiver worker)
  mapfile -t WORKERS < <(compose ps -q worker)
  RECEIVER=$(compose ps -q receiver) REDIS=$(compose ps -q redis)
else
  run_service redis "$PROJECT-redis" >/dev/null
  run_service simulator "$PROJECT-simulator" --set "SIM_PORT=$SIM_PORT" >/dev/null
  run_service receiver "$PROJECT-receiver" --set "PORT=$RECEIVER_PORT" >/dev/null
  run_service worker "$PROJECT-worker-1" --set "METRICS_PORT=$WORKER1_PORT" >/dev/null
  run_service worker "$PROJECT-worker-2" --set "METRICS_PORT=$WORKER2_PORT" >/dev/null
  WORKERS=("$PROJECT-worker-1" "$PROJECT-worker-2")
  RECEIVER="$PROJECT-receiver" REDIS="$PROJECT-redis"
fi
[ "${#WORKERS[@]}" = 2 ] || fail "expected two worker containers, found ${#WORKERS[@]}"

# Every container's HEALTHCHECK reports healthy (the first probe runs one interval after start).
deadline=$(($(date +%s) + 120))
for c in "${CONTAINERS[@]}"; do
  while :; do
    status=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} {{.State.Status}}' "$c")
    case "$status" in
      healthy*) break ;;
      none*) fail "$c has no health check" ;;
      unhealthy* | *exited | *dead) fail "$c is $status: $(docker inspect -f '{{range .State.Health.Log}}{{.Output}}{{end}}' "$c" | tail -c 300)" ;;
    esac
    [ "$(date +%s)" -lt "$deadline" ] || fail "$c not healthy after 120 s ($status)"
    sleep 1
  done
  pass "$(docker inspect -f '{{.Name}}' "$c" | tr -d /) healthy"
done

code=$(node -e "fetch('http://127.0.0.1:$RECEIVER_PORT/healthz').then((r) => console.log(r.status), () => console.log(0))")
[ "$code" = 200 ] || fail "receiver GET /healthz answered $code"
pass "receiver /healthz 200 on port $RECEIVER_PORT"

# Processes run as node (uid 1000): every process of every app container, seen from the host.
for c in "${CONTAINERS[@]}"; do
  [ "$c" = "$REDIS" ] && continue
  uids=$(docker top "$c" -eo pid,uid | awk 'NR > 1 { print $2 }' | sort -u | tr '\n' ' ') ||
    fail "docker top $c"
  [ "$uids" = "1000 " ] || fail "$c runs processes as uid(s) $uids, not only node (1000)"
  [ "$(docker exec "$c" id -un 1000)" = node ] || fail "uid 1000 is not node in $c"
done
pass "every app process runs as node (uid 1000)"

docker exec "$RECEIVER" sh -c 'f="$SPOOL_DIR/.docker-smoke-$$" && echo ok >"$f" && rm "$f"' ||
  fail "the receiver cannot write its spool volume"
[ "$(docker inspect -f '{{range .Mounts}}{{if eq .Destination "/var/lib/so-connector/spool"}}{{.Type}}{{end}}{{end}}' "$RECEIVER")" = volume ] ||
  fail "the receiver's spool is not a volume"
pass "the spool volume is writable by node"

# ---------------------------------------------------------------------------------------------
step "the demo"
if [ -n "$COMPOSE" ]; then
  compose --profile demo run --rm --no-deps demo | tee "$WORK/demo.log" || fail "the demo"
else
  run_service --rm demo "$PROJECT-demo" | tee "$WORK/demo.log" || fail "the demo"
fi
company=$(sed -n 's/^Created company \([0-9]*\) .*/\1/p' "$WORK/demo.log")
grep -q '^Written back by the worker:' "$WORK/demo.log" && [ -n "$company" ] ||
  fail "the demo did not report a company enriched"
pass "company $company created and enriched"

# Metrics of every worker, summed: `metric_sum so_worker_events_total 'reason="echo"'`.
worker_metrics() { docker exec "$1" node -e "fetch('http://127.0.0.1:'+(process.env.METRICS_PORT||9464)+'/metrics').then((r)=>r.text()).then(console.log)"; }
metric_sum() {
  local total=0 w value
  for w in "${WORKERS[@]}"; do
    value=$(worker_metrics "$w" | awk -v name="$1" -v match_="$2" '$1 ~ "^"name"[{ ]" && index($1, match_) { s += $2 } END { print s + 0 }')
    total=$(node -p "$total + $value")
  done
  echo "$total"
}
# The write comes back as contact.changed by the connector's user: skipped as an echo, and the
# company is written exactly once (no ping-pong).
deadline=$(($(date +%s) + 60))
until [ "$(metric_sum so_worker_events_total 'reason="echo"')" -ge 1 ]; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "no echo skipped by the workers within 60 s"
  sleep 1
done
patches=$(node -e "fetch('http://127.0.0.1:$SIM_PORT/sim/counters').then((r)=>r.json()).then((c)=>console.log(c['PATCH Contact/{id}'] ?? 0))")
[ "$patches" = 1 ] || fail "the company was written $patches times, expected once"
pass "the write's echo skipped; one PATCH of the company"

# Both workers consume from the shared queues: BullMQ names a worker's connection
# <prefix>:<base64 of the queue> (`Queue.getWorkers`); every queue needs two of them (only the
# worker app runs BullMQ workers), and both workers answer /metrics.
redis_cli() { docker exec "$REDIS" redis-cli -p "$REDIS_PORT" "$@"; }
redis_cli CLIENT LIST >"$WORK/clients.txt"
redis_cli --scan --pattern '*:meta' >"$WORK/queues.txt"
node -e '
  const fs = require("node:fs");
  const lines = (file) => fs.readFileSync(file, "utf8").split("\n").filter(Boolean);
  const names = lines(process.argv[1]).map((l) => /(?:^| )name=(\S*)/.exec(l)?.[1] ?? "");
  const queues = lines(process.argv[2]).map((key) => key.replace(/:meta$/, ""));
  let short = queues.length === 0;
  for (const queue of queues) {
    const at = queue.lastIndexOf(":");
    const client = `${queue.slice(0, at)}:${Buffer.from(queue.slice(at + 1)).toString("base64")}`;
    const n = names.filter((name) => name === client || name.startsWith(`${client}:w:`)).length;
    console.log(`docker-smoke: queue ${queue}: ${n} worker connections`);
    if (n < 2) short = true;
  }
  process.exit(short ? 1 : 0);' "$WORK/clients.txt" "$WORK/queues.txt" ||
  fail "not every BullMQ queue has two workers (see the lines above)"
for w in "${WORKERS[@]}"; do
  worker_metrics "$w" | grep -q '^so_queue_jobs' || fail "$w serves no queue metrics"
done
pass "two workers consume from every shared queue"

# ---------------------------------------------------------------------------------------------
step "cli doctor"
if [ -n "$COMPOSE" ]; then
  compose --profile cli run --rm --no-deps cli doctor >"$WORK/doctor.log" 2>&1 || doctor_code=$?
else
  run_service --rm cli "$PROJECT-cli" -- doctor >"$WORK/doctor.log" 2>&1 || doctor_code=$?
fi
cat "$WORK/doctor.log"
passed=$(grep -c 'PASS' "$WORK/doctor.log" || true)
others=$(grep -cE '\b(FAIL|WARN|SKIP)\b' "$WORK/doctor.log" || true)
[ "${doctor_code:-0}" = 0 ] || fail "cli doctor exited ${doctor_code}"
[ "$passed" -ge 1 ] && [ "$others" = 0 ] || fail "cli doctor: $passed PASS, $others not PASS"
pass "cli doctor: all $passed checks PASS"

# ---------------------------------------------------------------------------------------------
step "SIGTERM"
# docker stop sends SIGTERM and kills at the grace period: exit 0 before it is a clean shutdown.
# Apps first, Redis last (the apps close their connections to it).
ordered=()
for c in "${CONTAINERS[@]}"; do [ "$c" = "$REDIS" ] || ordered+=("$c"); done
ordered+=("$REDIS")
for c in "${ordered[@]}"; do
  name=$(docker inspect -f '{{.Name}}' "$c" | tr -d /)
  grace=$(docker inspect -f '{{if .Config.StopTimeout}}{{.Config.StopTimeout}}{{else}}10{{end}}' "$c")
  t0=$(date +%s%N)
  docker stop "$c" >/dev/null
  ms=$((($(date +%s%N) - t0) / 1000000))
  exit_code=$(docker inspect -f '{{.State.ExitCode}}' "$c")
  [ "$exit_code" = 0 ] || fail "$name exited $exit_code after SIGTERM (grace ${grace} s, took ${ms} ms)"
  [ "$ms" -lt $((grace * 1000)) ] || fail "$name took ${ms} ms to stop, grace ${grace} s"
  pass "$name: SIGTERM, exit 0 in ${ms} ms (grace ${grace} s)"
done

step "all checks passed"
exit 0
}
