#!/usr/bin/env bash
# The kernel guard's part of `make bench` (called at the end of
# tests/bench/run): bench_guard installs and reconciles N plan entries (2N
# kernel policies: two marks each) through the guard module (libnl) and
# through `ip -batch`, each in a fresh network namespace of its own, best of
# a few runs.  Not pass/fail: a missed target is reported as NOT MET and the
# exit status stays 0; it is non-zero only when something fails to run.
#
# Environment: O (build folder, default build), GUARD_BENCH_SIZES (default
# "1000 10000 100000"; the targets are for 100,000).  Needs root.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
O=${O:-build}
bench=$O/bench/bench_guard
sizes=(${GUARD_BENCH_SIZES:-1000 10000 100000})
big=100000                      # the size the targets are for
target_noop=0.5                 # s, a reconcile with nothing to change

die() {
	echo "bench guard: $*" >&2
	exit 1
}
[ -x "$bench" ] || die "$bench is missing (make bench builds it)"
if [ "$(id -u)" != 0 ]; then
	echo "kernel guard benchmark: skipped (needs root for its network namespaces)"
	exit 0
fi

get() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }
runs_for() { if [ "$1" -ge 100000 ]; then echo 2; else echo 3; fi; }
lt() { awk -v v="$1" -v t="$2" 'BEGIN { exit !(v < t) }'; }
le() { awk -v v="$1" -v t="$2" 'BEGIN { exit !(v <= t) }'; }
verdict() { if "$@"; then echo met; else echo "NOT MET"; fi; }

echo "zsec kernel guard benchmark: N plan entries (two kernel policies each, N/10 partners),"
echo "through libnl (daemon/guard) and through ip -batch, each run in a fresh network namespace"
printf '%8s %9s %10s %12s %7s %9s %9s %9s %9s\n' N policies "install s" "ip -batch s" ratio \
	"noop s" "dump s" "change s" "changed"

declare -A out
for n in "${sizes[@]}"; do
	r=$("$bench" run "$n" "$(runs_for "$n")") || die "bench_guard run $n failed"
	out[$n]=$r
	printf '%8s %9s %10s %12s %7s %9s %9s %9s %9s\n' "$n" "$(get policies "$r")" \
		"$(get install "$r")" "$(get ip "$r")" "$(get ratio "$r")" "$(get noop "$r")" \
		"$(get noop_dump "$r")" "$(get change "$r")" \
		"+$(get change_added "$r")/-$(get change_removed "$r")"
done
echo "(best of 3 runs, 2 at 100,000; noop: reconcile with nothing to change, of which dump: reading"
echo " the kernel's policies; change: reconcile after one partner's prefix changed)"

echo
printf '%-52s %12s %16s  %s\n' figure value target result
for n in "${sizes[@]}"; do
	r=${out[$n]}
	printf '%-52s %12s %16s  %s\n' "install $n entries: libnl / ip -batch" \
		"$(get ratio "$r")" "<= 1 at $big" \
		"$([ "$n" = $big ] && verdict le "$(get ratio "$r")" 1 || echo information)"
done
if [ -n "${out[$big]:-}" ]; then
	r=${out[$big]}
	printf '%-52s %12s %16s  %s\n' "install $big entries through libnl" "$(get install "$r") s" \
		"<= $(get ip "$r") s" "$(verdict le "$(get install "$r")" "$(get ip "$r")")"
	printf '%-52s %12s %16s  %s\n' "reconcile $big, nothing to change" "$(get noop "$r") s" \
		"< $target_noop s" "$(verdict lt "$(get noop "$r")" "$target_noop")"
	printf '%-52s %12s %16s  %s\n' "reconcile $big, one partner changed" "$(get change "$r") s" \
		"-" "information"
	printf '%-52s %12s %16s  %s\n' "  entries touched (that partner's: +8/-8)" \
		"+$(get change_added "$r")/-$(get change_removed "$r")" "that partner's" \
		"$([ "$(get change_only_partner "$r")" = yes ] && echo met || echo "NOT MET")"
else
	echo "(the targets are for $big entries, not in GUARD_BENCH_SIZES)"
fi
echo "reference: the issue's ip -batch of 100,000 entries: 3.5 s"
