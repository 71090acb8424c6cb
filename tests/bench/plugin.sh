#!/usr/bin/env bash
# The plugin's part of `make bench` (called from tests/bench/run): charon
# with zsec's plugin against charon with swanctl (vici), in the same run, on
# the same generated configuration (tests/bench/gen_plugin.py).
#
#   apply   N = 100, 1,000, 10,000 Za links pushed into the plugin
#           (bench_plugin: MSG_PLAN until MSG_RESULT) against
#           `swanctl --load-conns` of the same links, and charon's RSS after
#           each; the plugin with charon.plugins.zsec.initiate = no (like
#           start_action = none) and with the default (it starts every link)
#   CAs     the memory of a partner's CA certificate in the plugin, unused
#           and used (bench_lazy_ca), for charon's RSS at N = 10,000 once
#           every partner has authenticated: the RSS above is before that
#   change  one partner's prefixes changed at N = 10,000: one plan pushed,
#           and swanctl --load-conns of the changed file
#   ike     200 links up, IKE and ESP with x25519: seg-a1's charon (zsec or
#           swanctl) against one charon answering for all 200 partners
#           (swanctl), two namespaces joined by a veth; from the plan push
#           (zsec) or `swanctl --load-conns` with start_action = start
#           (swanctl) until the 200th CHILD_SA is established (timestamps of
#           seg-a1's log; the status socket or `swanctl --list-sas` polled to
#           see the end)
#
# Every figure is the median of PLUGIN_BENCH_RUNS runs (default 3; the IKE
# benchmark PLUGIN_BENCH_IKE_RUNS, 5), each run a fresh charon in a fresh
# network namespace (zbench-PID-*, removed at the end) with a private mount
# namespace and a tmpfs on /run, as the lab starts them, and the lab's
# strongswan.conf (logging at level 1 on both sides).  The data plane is
# kernel-libipsec (this kernel has no ESP).  Wall-clock figures depend on
# what else runs on the machine: the CPU time of the apply is shown too.
# Not pass/fail: a missed target is NOT MET and the exit status stays 0; it
# is non-zero only when something fails to run.
#
# Environment: O (build folder), PLUGIN_BENCH_SIZES (default "100 1000
# 10000"), PLUGIN_BENCH_RUNS (3), PLUGIN_BENCH_IKE (links of the IKE
# benchmark, 200; 0 skips it), PLUGIN_BENCH_IKE_RUNS (5: a run where one
# charon's socket overflowed waits 4 s for retransmissions),
# PLUGIN_BENCH_PKI (certificates, kept between runs: $O/bench/pki),
# PLUGIN_BENCH_KEEP (set: keep logs and configurations), ZSEC_CHARON.
# Needs root.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
O=${O:-build}
build=$(cd "$O" && pwd)
bench=$build/bench/bench_plugin
gen=$top/tests/bench/gen_plugin.py
sizes=(${PLUGIN_BENCH_SIZES:-100 1000 10000})
runs=${PLUGIN_BENCH_RUNS:-3}
ike_n=${PLUGIN_BENCH_IKE:-200}
ike_runs=${PLUGIN_BENCH_IKE_RUNS:-5}
pki=${PLUGIN_BENCH_PKI:-$build/bench/pki}
charon=${ZSEC_CHARON:-/usr/lib/ipsec/charon}
big=10000                       # the size the targets are for
target_apply=0.1                # plugin apply / swanctl --load-conns
target_change=30                # ms, one link changed at $big
target_rss=1.0                  # charon RSS with zsec / with swanctl
target_ike=0.95                 # IKE setup rate with zsec / with swanctl
sock=/run/zsec/charon.sock      # in each node's own /run
vici=/run/charon.vici

die() {
	echo "bench plugin: $*" >&2
	exit 1
}
[ -x "$bench" ] || die "$bench is missing (make bench builds it)"
[ -f "$build/libstrongswan-zsec.so" ] || die "$build/libstrongswan-zsec.so is missing"
if [ "$(id -u)" != 0 ]; then
	echo "plugin benchmark: skipped (needs root for its network namespaces)"
	exit 0
fi
for c in python3 pki swanctl nsenter unshare "$charon"; do
	command -v "$c" >/dev/null || die "$c is needed"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/zbench-plugin.XXXXXX")
tag=zbench-$$
declare -A holder charon_pid
nodes=()

# ---- nodes: a namespace, a holder with a private /run, one charon ----

node_up() {
	local name=$1 ns=$tag-$1 h
	ip netns add "$ns" || die "cannot create namespace $ns"
	nodes+=("$name")
	ip -n "$ns" link set lo up
	ip netns exec "$ns" unshare --mount --propagation private -- \
		sh -c 'mount -t tmpfs -o mode=0755 tmpfs /run && exec sleep infinity' \
		< /dev/null > /dev/null 2>&1 &
	h=$!
	disown $h
	holder[$name]=$h
	for _ in $(seq 100); do
		[ "$(stat -f -c %T "/proc/$h/root/run" 2>/dev/null)" = tmpfs ] && return 0
		sleep 0.02
	done
	die "the holder of $name did not start"
}

in_node() {
	local name=$1
	shift
	nsenter -t "${holder[$name]}" -m -n -- "$@"
}

# node_down NAME: its charon, its holder, its namespace
node_down() {
	local name=$1 p=${charon_pid[$1]:-} h=${holder[$1]:-}
	if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
		kill "$p"
		for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
		kill -9 "$p" 2>/dev/null
	fi
	[ -n "$h" ] && kill -9 "$h" 2>/dev/null
	for _ in $(seq 100); do
		[ -z "$(ip netns pids "$tag-$name" 2>/dev/null)" ] && break
		sleep 0.02
	done
	ip netns del "$tag-$name" 2>/dev/null
	unset "charon_pid[$name]" "holder[$name]"
	local keep=() n
	for n in "${nodes[@]}"; do [ "$n" != "$name" ] && keep+=("$n"); done
	nodes=("${keep[@]}")
}

cleanup() {
	local n
	for n in "${nodes[@]}"; do node_down "$n"; done
	if [ -n "${PLUGIN_BENCH_KEEP:-}" ]; then
		echo "bench plugin: logs and configurations kept in $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# conf FILE KIND LOG [INITIATE [OPTION]]: strongswan.conf of the lab's
# charon, with zsec (KIND zsec) or with vici instead (KIND vici)
conf() {
	local file=$1 kind=$2 log=$3 initiate=${4:-yes} option=${5:-} load
	load="random nonce x509 pem pkcs1 pkcs8 openssl kdf hmac sha2 aes gcm revocation constraints pubkey curve25519 kernel-libipsec kernel-netlink socket-default $kind"
	cat > "$file" <<-EOF
	charon {
		load = $load
		dlopen_use_rtld_now = yes
		$option
		plugins {
			zsec {
				socket = $sock
				initiate = $initiate
			}
			socket-default { fwmark = 0x5a }
			kernel-netlink { fwmark = !0x5a }
			kernel-libipsec { allow_peer_ts = yes }
		}
		filelog {
			bench {
				path = $log
				time_format = %s
				time_add_ms = yes
				default = 1
				flush_line = yes
			}
		}
	}
	swanctl { load = pem pkcs1 pkcs8 x509 openssl }
	EOF
}

# charon_up NAME CONF KIND: charon in the node, ready when its socket is
charon_up() {
	local name=$1 cfg=$2 kind=$3 h=${holder[$1]} p s pre=()
	if [ "$kind" = zsec ]; then
		s=$sock
		pre=(LD_PRELOAD="$build/libstrongswan-zsec.so")
	else
		s=$vici
	fi
	nsenter -t "$h" -m -n -- env STRONGSWAN_CONF="$cfg" "${pre[@]}" "$charon" \
		> "$cfg.out" 2>&1 < /dev/null &
	p=$!
	disown $p
	charon_pid[$name]=$p
	for _ in $(seq 200); do
		[ -S "/proc/$h/root$s" ] && return 0
		kill -0 "$p" 2>/dev/null || break
		sleep 0.05
	done
	die "charon in $name did not start (see $cfg.out)"
}

swanctl_in() {
	local name=$1 cfg=$2
	shift 2
	in_node "$name" env STRONGSWAN_CONF="$cfg" swanctl "$@"
}

# rss NAME: "VmRSS VmHWM" of the node's charon, MB (10^6 bytes)
rss() {
	awk '/^VmRSS|^VmHWM/ { v[$1] = $2 * 1024 / 1e6 }
		END { printf "%.1f %.1f\n", v["VmRSS:"], v["VmHWM:"] }' \
		"/proc/${charon_pid[$1]}/status"
}

# cpu NAME: CPU seconds (user + system) the node's charon has used
cpu() {
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' \
		"/proc/${charon_pid[$1]}/stat"
}
# settle: what an apply leaves to jobs (zsec gives freed memory back half a
# second after an apply) is done before memory is read, on both sides
settle() { sleep 1; }

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", b - a }'; }
get() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
	if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "inf" }'; }
le() { awk -v v="$1" -v t="$2" 'BEGIN { exit !(v <= t) }'; }
lt() { awk -v v="$1" -v t="$2" 'BEGIN { exit !(v < t) }'; }
ge() { awk -v v="$1" -v t="$2" 'BEGIN { exit !(v >= t) }'; }
verdict() { if "$@"; then echo met; else echo "NOT MET"; fi; }

# seg-a1's outside address on a veth whose other end leads nowhere, the
# partners routed there: an apply that starts the links sends its
# IKE_SA_INITs somewhere; and an address inside what it exposes, as a
# gateway has for kernel-libipsec (the plugin waits for one before it
# starts a link)
seg_addresses() {
	local ns=$tag-$1
	ip -n "$ns" link add out type veth peer name nowhere &&
	ip -n "$ns" link set nowhere up &&
	ip -n "$ns" link set out up &&
	ip -n "$ns" addr add 192.0.2.1/24 dev out &&
	ip -n "$ns" route add 198.18.0.0/15 dev out &&
	ip -n "$ns" addr add 10.0.1.1/32 dev lo
}

# ---- inputs ----

python3 "$gen" pki "$pki" "$(printf '%s\n' "${sizes[@]}" "$ike_n" | sort -n | tail -n 1)" ||
	die "$gen pki failed"
for n in "${sizes[@]}"; do
	extra=()
	[ "$n" = "$big" ] && extra=(--change $((big / 2)))
	python3 "$gen" conf "$n" "$work/n$n" --pki "$pki" "${extra[@]}" || die "$gen conf $n failed"
done
if [ "$ike_n" -gt 0 ]; then
	python3 "$gen" conf "$ike_n" "$work/ike" --pki "$pki" --start || die "$gen conf $ike_n failed"
fi

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "zsec plugin benchmark: charon $("$charon" --version 2>/dev/null | head -n 1 || echo 5.9.8)," \
	"$(nproc) CPUs, ${cpu:-unknown CPU}, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "N Za links on seg-a1, one CA per partner (gen_plugin.py), kernel-libipsec data plane;" \
	"median of $runs runs, each a fresh charon in a fresh namespace"

# ---- apply and memory ----

# zsec_apply N RUN INITIATE: push the plan into a fresh charon; with
# INITIATE = yes also wait until every link has its IKE_SA (its
# IKE_SA_INIT sent); at $big with INITIATE = no, then one-link changes
zsec_apply() {
	local n=$1 r=$2 init=$3 d=$work/n$1 out t0 c0 i c files=()
	node_up a
	seg_addresses a || die "addresses of seg-a1"
	conf "$work/zsec.conf" zsec "$work/zsec-$n-$r-$init.log" "$init"
	charon_up a "$work/zsec.conf" zsec
	c0=$(cpu a)
	t0=$(now)
	out=$(in_node a "$bench" push "$sock" seg-a1 "$d/topology.yaml") ||
		die "bench_plugin push of $n links failed: $out"
	z_apply[$n.$r.$init]=$(get apply "$out")
	z_cpu[$n.$r.$init]=$(elapsed "$c0" "$(cpu a)")
	if [ "$init" = yes ]; then
		for _ in $(seq 1200); do
			c=$(in_node a "$bench" status "$sock") || die "bench_plugin status failed"
			[ "$(get ike "$c")" -ge "$n" ] && break
			sleep 0.25
		done
		z_started[$n.$r]=$(elapsed "$t0" "$(now)")
		settle
		read -r z_rss_started[$n.$r] z_hwm_started[$n.$r] < <(rss a)
		node_down a
		return
	fi
	settle
	read -r z_rss[$n.$r.$init] z_hwm[$n.$r.$init] < <(rss a)
	if [ "$n" = "$big" ]; then
		# 10 one-link changes: changed, back, changed, ...
		for i in $(seq 5); do files+=("$d/topology-changed.yaml" "$d/topology.yaml"); done
		out=$(in_node a "$bench" push "$sock" seg-a1 "${files[@]}") ||
			die "bench_plugin push of the changes failed: $out"
		grep -qv '1 changed' <<<"$out" && grep -v '1 changed' <<<"$out" >&2
		z_change[$r]=$(median $(sed -n 's/.*apply=\([^ ]*\).*/\1/p' <<<"$out"))
		settle
		read -r z_rss_change[$r] z_hwm_change[$r] < <(rss a)
	fi
	node_down a
}

swanctl_apply() {
	local n=$1 r=$2 d=$work/n$1 t0 t1 t2 c1 out client TIMEFORMAT='%U %S'
	node_up a
	seg_addresses a || die "addresses of seg-a1"
	conf "$work/vici.conf" vici "$work/vici-$n-$r.log"
	charon_up a "$work/vici.conf" vici
	t0=$(now)
	swanctl_in a "$work/vici.conf" --load-creds --file "$d/swanctl/swanctl.conf" \
		> "$work/creds.out" 2>&1 || die "swanctl --load-creds failed (see $work/creds.out)"
	t1=$(now)
	c1=$(cpu a)
	# the CPU of swanctl itself too: it reads and sends every file
	client=$( { time swanctl_in a "$work/vici.conf" --load-conns \
		--file "$d/swanctl/swanctl.conf" > "$work/conns.out" 2>&1; } 2>&1)
	t2=$(now)
	grep -q "successfully loaded $n connections" "$work/conns.out" ||
		die "swanctl --load-conns of $n failed: $(tail -n 3 "$work/conns.out")"
	s_creds[$n.$r]=$(elapsed "$t0" "$t1")
	s_conns[$n.$r]=$(elapsed "$t1" "$t2")
	s_cpu[$n.$r]=$(awk -v c="$(elapsed "$c1" "$(cpu a)")" -v u="${client% *}" -v s="${client#* }" \
		'BEGIN { printf "%.2f", c + u + s }')
	settle
	read -r s_rss[$n.$r] s_hwm[$n.$r] < <(rss a)
	if [ "$n" = "$big" ]; then
		t0=$(now)
		out=$(swanctl_in a "$work/vici.conf" --load-conns --file "$d/swanctl/swanctl-changed.conf" 2>&1)
		t1=$(now)
		grep -q "successfully loaded $n connections" <<<"$out" ||
			die "swanctl --load-conns of the change failed: $(tail -n 3 <<<"$out")"
		s_change[$r]=$(elapsed "$t0" "$t1")
	fi
	node_down a
}

declare -A z_apply z_cpu s_cpu z_rss z_hwm z_started z_rss_started z_hwm_started z_change z_rss_change \
	z_hwm_change s_creds s_conns s_rss s_hwm s_change
for n in "${sizes[@]}"; do
	for r in $(seq "$runs"); do
		zsec_apply "$n" "$r" no
		swanctl_apply "$n" "$r"
		zsec_apply "$n" "$r" yes
	done
done

# m ARRAY PREFIX [SUFFIX]: the median over the runs of ARRAY[PREFIX RUN SUFFIX]
m() {
	local -n a=$1
	local vals=() r
	for r in $(seq "$runs"); do vals+=("${a[$2$r${3:-}]}"); done
	median "${vals[@]}"
}

echo
printf '%7s  %-40s %-42s %-26s\n' "" "zsec plugin (initiate = no)" "swanctl (vici)" \
	"zsec (initiate = yes)"
printf '%7s  %8s %6s %6s %7s %7s  %7s %8s %6s %7s %7s  %8s %7s %9s\n' N "apply s" "CPU s" \
	ratio "RSS MB" "HWM MB" "creds s" "conns s" "CPU s" "RSS MB" "HWM MB" "apply s" "RSS MB" \
	"started s"
for n in "${sizes[@]}"; do
	za=$(m z_apply "$n." .no) sc=$(m s_conns "$n.")
	printf '%7s  %8.3f %6.2f %6s %7s %7s  %7.2f %8.2f %6.2f %7s %7s  %8.3f %7s %9.2f\n' "$n" \
		"$za" "$(m z_cpu "$n." .no)" "$(ratio "$za" "$sc")" "$(m z_rss "$n." .no)" \
		"$(m z_hwm "$n." .no)" "$(m s_creds "$n.")" "$sc" "$(m s_cpu "$n.")" "$(m s_rss "$n.")" \
		"$(m s_hwm "$n.")" "$(m z_apply "$n." .yes)" "$(m z_rss_started "$n.")" \
		"$(m z_started "$n.")"
done
echo "(apply: the plan pushed until its result; conns: swanctl --load-conns; ratio: apply / conns;"
echo " creds: swanctl --load-creds before, not in the ratio; CPU: charon's, and swanctl's own for"
echo " the load; RSS, HWM: charon's VmRSS and VmHWM a second after; initiate = yes: the apply, the"
echo " time until every link has its IKE_SA (IKE_SA_INIT out, no peer answers) and the RSS then)"

# ---- IKE setup rate ----

# udp_drops NS: datagrams the namespace dropped for full receive buffers
udp_drops() {
	ip netns exec "$1" cat /proc/net/snmp | awk '$1 == "Udp:" {
		if (!h) { for (i = 2; i <= NF; i++) col[$i] = i; h = 1 } else print $col["RcvbufErrors"] }'
}

ike_run() {
	local kind=$1 r=$2 d=$work/ike log=$work/ike-$1-$2.log t0 out c up ns_s ns_p end
	node_up s
	node_up p
	ns_s=$tag-s ns_p=$tag-p
	ip -n "$ns_s" link add out type veth peer name out netns "$ns_p" || die "veth"
	{
		echo "link set out up"
		echo "addr add 192.0.2.1/32 dev out"
		echo "route add 198.18.0.0/15 dev out"
		echo "addr add 10.0.1.1/32 dev lo"
	} | ip -n "$ns_s" -batch - || die "addresses of seg-a1"
	{
		echo "link set out up"
		echo "route add 192.0.2.1/32 dev out"
		while read -r outside inside; do
			echo "addr add $outside/32 dev out"
			echo "addr add $inside/32 dev lo"
		done < "$d/partners/addresses"
	} | ip -n "$ns_p" -batch - || die "addresses of the partners"
	# one charon stands in for 200 gateways, each of which would see one
	# half-open IKE_SA of seg-a1: no per-address DoS limits (5 by default)
	conf "$work/peers.conf" vici "$work/ike-peers-$kind-$r.log" yes "dos_protection = no"
	charon_up p "$work/peers.conf" vici
	swanctl_in p "$work/peers.conf" --load-all --file "$d/partners/swanctl.conf" \
		> "$work/peers.out" 2>&1 || die "the partners' swanctl --load-all failed (see $work/peers.out)"

	if [ "$kind" = zsec ]; then
		conf "$work/ike-zsec.conf" zsec "$log" yes
		charon_up s "$work/ike-zsec.conf" zsec
		out=$(in_node s "$bench" up "$sock" seg-a1 "$d/topology.yaml" "$ike_n" 120 100) ||
			die "zsec: $ike_n links not up in 120 s: $out"
		t0=$(get start "$out")
	else
		conf "$work/ike-vici.conf" vici "$log"
		charon_up s "$work/ike-vici.conf" vici
		swanctl_in s "$work/ike-vici.conf" --load-creds --file "$d/swanctl/swanctl.conf" \
			> /dev/null 2>&1 || die "swanctl --load-creds failed"
		t0=$(now)
		swanctl_in s "$work/ike-vici.conf" --load-conns --file "$d/swanctl/swanctl.conf" \
			> "$work/ike-conns.out" 2>&1 || die "swanctl --load-conns failed"
		for _ in $(seq 1200); do
			c=$(swanctl_in s "$work/ike-vici.conf" --list-sas 2>/dev/null | grep -c INSTALLED)
			[ "$c" -ge "$ike_n" ] && break
			sleep 0.1
		done
		[ "$c" -ge "$ike_n" ] || die "swanctl: $c of $ike_n links up in 120 s"
	fi
	# the moment of the last establishment, from seg-a1's log
	end=$(grep 'CHILD_SA .* established' "$log" | awk '{ print $1 }' | sort -g | tail -n 1)
	c=$(grep -c 'CHILD_SA .* established' "$log")
	[ "$c" -ge "$ike_n" ] || die "$kind: $c CHILD_SAs in the log, $ike_n expected"
	up=$(elapsed "$t0" "$end")
	ike_up[$kind.$r]=$up
	ike_drops[$kind.$r]=$(udp_drops "$ns_s")/$(udp_drops "$ns_p")
	node_down s
	node_down p
}

ike_line=
if [ "$ike_n" -gt 0 ]; then
	declare -A ike_up ike_drops
	for r in $(seq "$ike_runs"); do
		ike_run zsec "$r"
		ike_run swanctl "$r"
	done
	zu=$(runs=$ike_runs m ike_up zsec.) su=$(runs=$ike_runs m ike_up swanctl.)
	zr=$(awk -v n="$ike_n" -v t="$zu" 'BEGIN { printf "%.1f", n / t }')
	sr=$(awk -v n="$ike_n" -v t="$su" 'BEGIN { printf "%.1f", n / t }')
	echo
	echo "IKE setup, $ike_n links, aes256gcm16-prfsha384-x25519 / aes256gcm16-x25519, ECDSA P-256"
	echo "certificates, seg-a1 initiating to one charon answering for all partners (2 namespaces, veth),"
	echo "until the last CHILD_SA is established; median of $ike_runs runs:"
	for k in zsec swanctl; do
		printf '  %-7s %7.3f s  %6s links/s   runs (s, UDP datagrams dropped by seg-a1/partners):%s\n' "$k" \
			"$(runs=$ike_runs m ike_up "$k.")" "$([ $k = zsec ] && echo "$zr" || echo "$sr")" \
			"$(for r in $(seq "$ike_runs"); do printf ' %s (%s)' "${ike_up[$k.$r]}" \
				"${ike_drops[$k.$r]}"; done)"
	done
	ike_ratio=$(ratio "$zr" "$sr")
	ike_line=$(printf 'IKE setup rate %s links: %s/s vs swanctl %s/s: ratio %s (target >= %s) %s' \
		"$ike_n" "$zr" "$sr" "$ike_ratio" "$target_ike" "$(verdict ge "$ike_ratio" "$target_ike")")
fi

# ---- against the targets ----

echo
if [[ " ${sizes[*]} " == *" $big "* ]]; then
	za=$(m z_apply "$big." .no) sc=$(m s_conns "$big.")
	ra=$(ratio "$za" "$sc")
	printf 'plugin apply %s links: %.3f s vs swanctl --load-conns %.1f s: ratio %s (target <= %s) %s\n' \
		"$big" "$za" "$sc" "$ra" "$target_apply" "$(verdict le "$ra" "$target_apply")"
	printf 'plugin apply %s links, CPU: %.2f s vs swanctl --load-conns %.2f s (charon and swanctl): ratio %s (information)\n' \
		"$big" "$(m z_cpu "$big." .no)" "$(m s_cpu "$big.")" \
		"$(ratio "$(m z_cpu "$big." .no)" "$(m s_cpu "$big.")")"
	zy=$(m z_apply "$big." .yes)
	printf 'plugin apply %s links, initiate = yes: %.3f s: ratio %s (information)\n' \
		"$big" "$zy" "$(ratio "$zy" "$sc")"
	zc=$(awk -v s="$(m z_change "")" 'BEGIN { printf "%.1f", s * 1000 }')
	printf 'plugin one-link change at %s: %s ms vs swanctl --load-conns of it %.1f s (target < %s ms) %s\n' \
		"$big" "$zc" "$(m s_change "")" "$target_change" "$(verdict lt "$zc" "$target_change")"
	zr=$(m z_rss "$big." .no) sr=$(m s_rss "$big.")
	rr=$(ratio "$zr" "$sr")
	printf 'charon RSS %s links: zsec %s MB vs swanctl %s MB: ratio %s (target <= %s) %s\n' \
		"$big" "$zr" "$sr" "$rr" "$target_rss" "$(verdict le "$rr" "$target_rss")"
	printf 'charon peak RSS (VmHWM) %s links: zsec %s MB vs swanctl %s MB (information)\n' \
		"$big" "$(m z_hwm "$big." .no)" "$(m s_hwm "$big.")"
	printf 'charon RSS %s links after 10 one-link changes: zsec %s MB (information)\n' \
		"$big" "$(m z_rss_change "")"
	# the RSS above is before any partner authenticated: zsec's CAs are
	# parsed at their first use (plugin/zsec_lazy_ca.h), swanctl's at load
	lazy=$("$build/bench/bench_lazy_ca" "$pki" "$big" lazy) &&
		eager=$("$build/bench/bench_lazy_ca" "$pki" "$big" eager) ||
		die "bench_lazy_ca failed"
	lb=$(get loaded_b "$lazy") ub=$(get used_b "$lazy") eb=$(get loaded_b "$eager")
	printf 'memory per CA certificate: zsec %s B, %s B once used; parsed at once %s B (information)\n' \
		"$lb" "$ub" "$eb"
	zu=$(awk -v z="$zr" -v n="$big" -v l="$lb" -v u="$ub" 'BEGIN { printf "%.1f", z + n * (u - l) / 1e6 }')
	printf 'charon RSS %s links, every CA used (estimate: + %s x %s B): zsec %s MB vs swanctl %s MB: ratio %s (information)\n' \
		"$big" "$big" "$((ub - lb))" "$zu" "$sr" "$(ratio "$zu" "$sr")"
else
	echo "(the apply and memory targets are for $big links, not in PLUGIN_BENCH_SIZES)"
fi
[ -n "$ike_line" ] && echo "$ike_line"
exit 0
