# tools/bench/measure.sh — sourced by the bench scripts (run.sh, dispatch.sh, delivery.sh): what
# they measure with and how they poll, so that the polling costs the processes measured little.
# On this VM starting a process costs dearly (psql and its backend about 0.13 s of CPU, sleep(1)
# a few ms: fork and exec under the hypervisor), so a poll neither starts psql nor sleep.

hz=$(getconf CLK_TCK)

# ticks PID...: CPU time (user + system, clock ticks) the processes have used so far.
ticks() {
  local p t=0
  for p in "$@"; do
    [[ -r /proc/$p/stat ]] && t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
  done
  echo "$t"
}
# busy: CPU time the whole machine has been busy so far (every core: user, nice, system, irq,
# softirq, steal; clock ticks): beside the processes' own, it shows whether the cores were full
# and how much of their time no process was charged with (the kernel's loopback TCP, interrupts).
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
# us_each TICKS N: TICKS of CPU time spread over N units of work, in microseconds each.
us_each() { awk -v t="$1" -v n="$2" -v hz="$hz" 'BEGIN { printf "%.0f", n ? t / hz / n * 1e6 : 0 }'; }
# pg_pids: the processes of the cluster DATABASE_URL names (host=DIR): the postmaster and its
# children (backends, writers).
pg_pids() {
  local dir pm
  dir=$(sed -n 's/.*host=\([^ ]*\).*/\1/p' <<<"$DATABASE_URL")
  pm=$(head -1 "$dir/data/postmaster.pid" 2>/dev/null) || return 0
  echo "$pm" $(pgrep -P "$pm")
}
median() { tr ' ' '\n' | sort -g | awk 'NF { v[++n] = $1 } END { print v[int((n + 1) / 2)] }'; }

# nap SECONDS: sleep without starting a process.
exec {NAP_FD}<> <(:)
nap() { read -rt "$1" -u "$NAP_FD" || true; }

# open_q CONNINFO: defines q STATEMENT, which sends its statement through one psql session and
# prints the answer; a poll through it costs about 2 ms, a psql of its own about 130 ms.
open_q() {
  coproc PSQL { psql "$1" -qtAX -v ON_ERROR_STOP=1 {NAP_FD}<&-; }
  exec {Q_IN}>&"${PSQL[1]}" {Q_OUT}<&"${PSQL[0]}"   # a coprocess's own are closed in pipelines
  q() {   # the whole answer is read before any of it is printed: a reader that stops early
    local line out=()   # (| head -1) must not leave the rest for the next statement to read
    printf '%s;\n\\echo __q_end__\n' "$1" >&"$Q_IN"
    while IFS= read -r line <&"$Q_OUT"; do
      if [[ $line == __q_end__ ]]; then
        [[ ${#out[@]} -eq 0 ]] || printf '%s\n' "${out[@]}"
        return 0
      fi
      out+=("$line")
    done
    return 1   # the session ended: psql said why on stderr
  }
}

# spawn COMMAND...: starts COMMAND in the background without the descriptors above (a server
# holding the psql session's pipe would keep it open after the bench); $! is its pid.
spawn() {
  if [[ -n "${Q_IN:-}" ]]; then
    "$@" {NAP_FD}<&- {Q_IN}>&- {Q_OUT}<&- &
  else
    "$@" {NAP_FD}<&- &
  fi
}
