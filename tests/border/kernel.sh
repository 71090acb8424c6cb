#!/usr/bin/env bash
# The Border Element module against the real kernel (TAP), in network
# namespaces of its own (zbe-*-PID, deleted at the end), never the lab's.
#
#   zbe-s  the gateway (SEG): table inet zsec, loaded by border_tool through
#          the module, as zsecd will
#   zbe-p  the partners' elements, behind the SEG's veth named ipsec0: the
#          path kernel-libipsec gives decrypted traffic (no IPsec here)
#   zbe-o  the outside: a stranger (192.0.2.100) and the partner gateways
#          (which also send ESP, by hand, where the kernel has it)
#   zbe-i  the inside: an exposed host (10.1.1.10), an unexposed one
#          (10.1.2.20) and an internal router (10.1.0.254)
#   zbe-x  no links: the module's script loaded by nft -f, and batches of
#          elements the kernel refuses
#
# What is checked: the table the module loads, equal to its script loaded
# by nft -f; a batch of elements refused changes nothing; a dry run changes nothing,
# a broken script is refused; exposure (IPv4 and IPv6), renumbering (the
# partner never sees 10.1.x.x), spoofed sources, ICMP errors, traceroute, hop
# limits, IP options and IPv6 option and routing headers, IKE sources (to
# broadcast and multicast too) and the IKE limits (a partner's, an
# element's), a partner's gateway and a stranger in clear text, a related
# packet that would take over another partner's connection, SIP floods (UDP, in our
# connection too, TCP, SCTP) and a flood of other packets held at the
# limits; every drop counted for the right partner; transactions side by
# side (the staging ones); a replacement keeps the counters of partners
# that stay and drops none of their packets; the replacement of a table an
# older zsecd wrote; removal.
# Where the kernel has ESP: through which partner's SA a packet may come.
#
#   tests/border/kernel.sh        all of it (the ESP section skipped here:
#                                 this machine's kernel has no ESP)
#   tests/border/kernel.sh esp    only the loading and the ESP section: make
#                                 test-kernel runs that in its guest, whose
#                                 kernel has ESP (the rest of the script
#                                 counts on the host's speed)
#
# Needs root.  Environment: O (build folder, default build).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
B=${O:-build}
case $B in /*) ;; *) B=$top/$B ;; esac
tool=$B/tests/border_tool
pk=$top/tests/border/packets.py
py=/usr/bin/python3             # Debian's, with python3-scapy

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP the kernel tests need root"
	exit 0
fi
[ -x "$tool" ] || { echo "Bail out! $tool is missing (make unit)"; exit 1; }
$py -c 'import scapy' 2>/dev/null || { echo "Bail out! $py has no scapy (make deps)"; exit 1; }
for c in tcpdump traceroute ping; do
	command -v $c >/dev/null || { echo "Bail out! $c is missing (make deps)"; exit 1; }
done

s=zbe-s-$$ p=zbe-p-$$ o=zbe-o-$$ i=zbe-i-$$ x=zbe-x-$$
work=$(mktemp -d "${TMPDIR:-/tmp}/zsec-border.XXXXXX")
dump=

cleanup() {
	[ -n "$dump" ] && kill "$dump" 2>/dev/null
	wait 2>/dev/null
	for n in $s $p $o $i $x; do
		ip netns del "$n" 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	shift
	[ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/#   /'
}
# check NAME CMD...: ok when CMD succeeds; its output shown when not
check() {
	local name=$1
	shift
	if "$@" >"$work/out" 2>&1; then
		ok "$name"
	else
		not_ok "$name" "$(tail -n 25 "$work/out")"
	fi
}
S() { ip netns exec $s "$@"; }
P() { ip netns exec $p "$@"; }
Ou() { ip netns exec $o "$@"; }
I() { ip netns exec $i "$@"; }

# ---- the topology: two partners, operator-b renumbered and dual-stack ----

cat >"$work/topo.yaml" <<'EOF'
zsec: 1
domain:
  name: operator-a
  prefixes: [10.1.0.0/16, 2001:db8:a::/48]
  trust: { ca: pki/a-ca.pem }
  gateways:
    - name: seg-a1
      outside: 192.0.2.1
      inside: 10.1.0.1
      id: seg-a1.operator-a.example
      cert: pki/seg-a1.pem
      key: pki/seg-a1.key
  elements:
    - name: pcscf-1
      address: 10.1.1.10
      gateway: seg-a1
      id: pcscf-1.operator-a.example
      cert: pki/pcscf-1.pem
      key: pki/pcscf-1.key
    - name: scscf-1
      address: 10.1.2.20
      gateway: seg-a1
      id: scscf-1.operator-a.example
      cert: pki/scscf-1.pem
      key: pki/scscf-1.key
partners:
  - name: operator-b
    prefixes: [10.2.0.0/16, 2001:db8:b::/48]
    trust: { ca: pki/b-ca.pem }
    gateways:
      - { name: seg-b1, address: 198.51.100.2, id: seg-b1.operator-b.example }
    links: [[seg-a1, seg-b1]]
    expose: [10.1.1.0/24, 2001:db8:a:1::/64]
    present-as: [172.16.1.0/24, 2001:db8:ffaa:1::/64]
    limits: { ike: "5/s burst 5", packets: "20000/s burst 20000", sip: "200/s burst 20" }
  - name: operator-c
    prefixes: [10.3.0.0/16, 10.5.5.0/24, 10.6.0.7/32]
    trust: { ca: pki/c-ca.pem }
    gateways:
      - { name: seg-c1, address: 198.51.100.3, id: seg-c1.operator-c.example }
    links: [[seg-a1, seg-c1]]
    expose: [10.1.1.0/24]
    limits: { ike: "3/s burst 3", packets: "400/s burst 40", sip: 300/s }
EOF
T=$work/topo.yaml
# operator-c's SIP limit changed; operator-b removed; operator-c sees
# another host
sed 's|sip: 300/s }|sip: 301/s }|' "$T" >"$work/changed.yaml"
sed '/^  - name: operator-c/,$ s|expose: \[10.1.1.0/24\]|expose: [10.1.2.0/24]|' "$T" \
	>"$work/c-moved.yaml"
awk '/^  - name: operator-b/ { skip = 1 } /^  - name: operator-c/ { skip = 0 } !skip' "$T" \
	>"$work/without-b.yaml"
# the same over IPv6 outside: seg-a1, seg-b1 and seg-c1 renumbered
sed -e 's|outside: 192.0.2.1|outside: "2001:db8:ff00::1"|' \
	-e 's|address: 198.51.100.\([23]\)|address: "2001:db8:ff00::\1"|' "$T" >"$work/outside6.yaml"

# ---- the namespaces ----

setup() {
	local x d
	for x in $s $p $o $i; do
		ip netns add $x && ip -n $x link set lo up || return 1
	done
	ip -n $s link add ipsec0 type veth peer name eth0 netns $p &&
	ip -n $s link add outside type veth peer name eth0 netns $o &&
	ip -n $s link add inside type veth peer name eth0 netns $i || return 1
	for d in ipsec0 outside inside; do ip -n $s link set $d up; done
	for x in $p $o $i; do ip -n $x link set eth0 up; done
	# the kernel's own reverse path filter off: zsec's rules are tested
	S sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 || return 1
	for d in ipsec0 outside inside; do S sysctl -qw net.ipv4.conf.$d.rp_filter=0; done
	ip -n $s addr add 169.254.0.1/30 dev ipsec0
	ip -n $s addr add fd00:ff::1/64 dev ipsec0 nodad
	ip -n $s addr add 192.0.2.1/24 dev outside
	ip -n $s addr add 10.1.0.1/16 dev inside
	ip -n $s addr add 2001:db8:a::1/48 dev inside nodad
	ip -n $s route add 10.2.0.0/16 via 169.254.0.2 dev ipsec0
	ip -n $s route add 10.3.0.0/16 via 169.254.0.2 dev ipsec0
	ip -n $s route add 10.5.5.0/24 via 169.254.0.2 dev ipsec0
	ip -n $s route add 10.6.0.7/32 via 169.254.0.2 dev ipsec0
	ip -n $s route add 2001:db8:b::/48 via fd00:ff::2 dev ipsec0
	ip -n $s route add 198.51.100.0/24 via 192.0.2.100 dev outside
	ip -n $p addr add 169.254.0.2/30 dev eth0
	ip -n $p addr add fd00:ff::2/64 dev eth0 nodad
	# the partners' own addresses on lo: behind IPsec they never do
	# neighbour discovery with the SEG, so they should not here either
	ip -n $p addr add 10.2.0.5/32 dev lo
	ip -n $p addr add 10.3.0.5/32 dev lo
	ip -n $p addr add 10.5.5.5/32 dev lo
	ip -n $p addr add 10.6.0.7/32 dev lo
	ip -n $p addr add 2001:db8:b::5/128 dev lo nodad
	ip -n $p route add default via 169.254.0.1 src 10.2.0.5
	ip -n $p -6 route add default via fd00:ff::1 src 2001:db8:b::5
	ip -n $o addr add 192.0.2.100/24 dev eth0
	ip -n $o addr add 198.51.100.2/32 dev eth0
	ip -n $o addr add 198.51.100.3/32 dev eth0
	# IPv6 outside, for SAs over IPv6 (the ESP section's other topology)
	ip -n $s addr add 2001:db8:ff00::1/64 dev outside nodad
	ip -n $o addr add 2001:db8:ff00::2/64 dev eth0 nodad
	ip -n $o addr add 2001:db8:ff00::3/64 dev eth0 nodad
	ip -n $o route add default via 192.0.2.1 src 192.0.2.100
	ip -n $o -6 route add 2001:db8:a::/48 via 2001:db8:ff00::1 src 2001:db8:ff00::2
	ip -n $i addr add 10.1.1.10/16 dev eth0
	ip -n $i addr add 10.1.2.20/16 dev eth0
	ip -n $i addr add 10.1.0.254/16 dev eth0
	ip -n $i addr add 2001:db8:a:1::10/48 dev eth0 nodad
	ip -n $i route add default via 10.1.0.1 src 10.1.1.10
	ip -n $i -6 route add default via 2001:db8:a::1
}
setup >"$work/setup.log" 2>&1 || { echo "Bail out! namespaces: $(tail -n 3 "$work/setup.log")"; exit 1; }

# ctr PARTNER REASON: packets of that counter ("-": the border itself)
# wait_for SECONDS CMD...: until CMD succeeds, polled every 0.1 s
wait_for() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.1
	done
}

ctr() {
	S "$tool" counters | awk -v who="$1" -v what="$2" '
		$1 == who { for (k = 2; k < NF; k += 2) if ($k == what) { split($(k + 1), v, "/"); print v[1] } }'
}
# expect_delta NAME PARTNER REASON BEFORE WANT: the counter grew by WANT
expect_delta() {
	local now
	now=$(ctr "$2" "$3")
	if [ "$((now - $4))" = "$5" ]; then
		ok "$1"
	else
		not_ok "$1" "counter $2 $3: was $4, now $now, expected +$5"
	fi
}

# ---- loading ----

if S "$tool" apply "$T" seg-a1 >"$work/out" 2>&1; then
	ok "the module loads operator-a's table for seg-a1: $(cat "$work/out")"
else
	not_ok "the module loads operator-a's table for seg-a1" "$(cat "$work/out")"
	exit 1
fi
S nft list table inet zsec >"$work/table"
has_all() {
	local f=$1 missing=0 x
	shift
	for x in "$@"; do
		grep -qF -- "$x" "$f" || { echo "missing: $x"; missing=1; }
	done
	return $missing
}
check "nft list table inet zsec: chains hooked where they belong" has_all "$work/table" \
	"chain ike {" "type filter hook prerouting priority raw; policy accept;" \
	"chain pre {" "type filter hook prerouting priority mangle; policy accept;" \
	"type nat hook prerouting priority dstnat; policy accept;" \
	"type nat hook postrouting priority srcnat; policy accept;" \
	"type filter hook postrouting priority srcnat + 10; policy accept;"
check "nft list table inet zsec: each partner's elements" has_all "$work/table" \
	'198.51.100.2 comment "operator-b" : 0x00000001' '198.51.100.3 comment "operator-c" : 0x00010002' \
	"10.2.0.0 : 0x00020001" "10.3.0.0 : 0x00010002" "2001:db8:b:: : 0x00020001" \
	"0x00010000 . 10.1.1.0/24" "0x00020000 . 172.16.1.0/24" "0x00020000 . 2001:db8:ffaa:1::/64" \
	"10.2.0.0/16 . 172.16.1.0/24 : 10.1.1.0/24" "10.2.0.0/16 . 10.1.1.0/24 : 172.16.1.0/24" \
	"0x00000001 limit rate over 200/second burst 20 packets" \
	"0x00000002 limit rate over 300/second burst 30 packets" \
	"0x00000002 limit rate over 400/second burst 40 packets" \
	"0x00000001 limit rate over 5/second" "elements = { 10.1.1.10, 10.1.2.20 }" \
	"update @ike_buckets { meta mark & 0x0000ffff limit rate over 3/second burst 3 packets }"
# rules: the lines of chain blocks, less hooks, comments and blank lines
# (in the script, of its last table block: the first only declares)
rules_of() {
	awk '/^table inet zsec \{/ { n = 0 } /^\tchain .*\{$/ { c = 1; next }
		c && /^\t}/ { c = 0 } c && !/^\t\t(type |#)/ && NF { n++ } END { print n + 0 }' "$1"
}
sets_of() { sed -n 's/^\t\(set\|map\) \([^ ]*\) .*/\2/p' "$1" | sort -u | wc -l; }
"$tool" render "$T" seg-a1 >"$work/script.nft"
want=$(rules_of "$work/script.nft")/$(sets_of "$work/script.nft")
have=$(rules_of "$work/table")/$(sets_of "$work/table")
check "the kernel holds the script's rules and sets ($have): no more, no less" test "$have" = "$want"
# The module sends the elements of the staged hashes by netlink
# (elements.c), not as the script's text: the table it loaded lists as the
# script does, loaded whole by nft -f in a namespace of its own (its sets
# and chains in the order of their names: the module's transactions run
# side by side).  What packets add (the counting sets, ike_buckets) left
# out.
static_ruleset() {
	ip netns exec "$1" nft list ruleset | awk '/^\t(set|map) / { dyn = 0 }
		/^\t\tflags dynamic/ { dyn = 1 }
		dyn && /^\t\telements = \{/ { skip = 1 } skip { skip = !/}$/; next } { print }'
}
by_name() {
	awk '/^\t[a-z]+ [^ ]+ \{$/ { b = $2 " " $1 } { print b "\t" NR "\t" $0 }' "$1" |
		sort -t "$(printf '\t')" -k1,1 -k2,2n | cut -f 3-
}
ip netns add $x && ip netns exec $x nft -f "$work/script.nft" &&
	static_ruleset $s >"$work/ruleset" && by_name "$work/ruleset" >"$work/by-module" &&
	static_ruleset $x >"$work/ruleset" && by_name "$work/ruleset" >"$work/by-text"
check "the table the module loaded (elements by netlink) lists as its script loaded by nft -f" \
	diff "$work/by-text" "$work/by-module"
# the same with prefixes whose lengths end inside a byte, and a presented
# prefix that does not start at .0: the ranges of the concatenations of
# intervals (exposed, dnat, snat) end where the text's would
sed -e 's|10.2.0.0/16|10.2.0.0/17|' -e 's|2001:db8:b::/48|2001:db8:b::/49|' \
	-e 's|expose: \[10.1.1.0/24, 2001:db8:a:1::/64\]|expose: [10.1.1.0/25, 2001:db8:a:1::/65]|' \
	-e 's|present-as: \[.*\]|present-as: [172.16.1.128/25, "2001:db8:ffaa:1:8000::/65"]|' \
	"$T" >"$work/odd.yaml"
"$tool" render "$work/odd.yaml" seg-a1 >"$work/odd.nft" &&
	ip netns exec $x nft flush ruleset &&
	ip netns exec $x "$tool" apply "$work/odd.yaml" seg-a1 >/dev/null &&
	static_ruleset $x >"$work/ruleset" && by_name "$work/ruleset" >"$work/by-module" &&
	ip netns exec $x nft flush ruleset && ip netns exec $x nft -f "$work/odd.nft" &&
	static_ruleset $x >"$work/ruleset" && by_name "$work/ruleset" >"$work/by-text"
check "... and so with prefixes of lengths 17, 25, 49 and 65 (172.16.1.128/25 presented)" \
	diff "$work/by-text" "$work/by-module"
check "... which the listing shows" grep -q "10.2.0.0/17 . 172.16.1.128/25 : 10.1.1.0/25" \
	"$work/by-module"
# the batch is one transaction: one it cannot take in whole (3 elements
# for a set of 2; a set that is not there) fails, says where, and adds none
ip netns exec $x nft add set inet zsec two '{ type mark; size 2; }'
# batch SET MARK...: what border_tool says, its exit status, then set two
batch() {
	ip netns exec $x "$tool" batch "$@" >"$work/said" 2>&1
	echo "exit $?" >>"$work/said"
	ip netns exec $x nft list set inet zsec two >>"$work/said"
}
# refused_as TEXT: exit 3, border_tool said TEXT, set two has no element
refused_as() {
	grep -qx 'exit 3' "$work/said" && grep -qxF "border_tool: $1" "$work/said" &&
		! grep -q 'elements = ' "$work/said" || { cat "$work/said"; false; }
}
batch two 1 2 3
check "a batch the kernel refuses fails (exit 3), naming the set, and adds no element" \
	refused_as "nftables: the kernel refused the elements of set two: Too many open files in system"
batch none 1
check "  and one for a set that is not there" \
	refused_as "nftables: the kernel refused the elements of set none: No such file or directory"
batch two 1 2
check "  while one it can take in goes in" grep -qF 'elements = { 0x00000001, 0x00000002 }' "$work/said"
# zsecd keeps the batch's socket from one apply to the next, and opens
# another after a refusal
ip netns exec $x nft flush set inet zsec two
batch two 1 2 3 -- two 1 -- two 2
check "  and in one process, after a refused batch, two more go in one after the other" sh -c "
	grep -qx 'exit 3' '$work/said' && grep -qF 'elements = { 0x00000001, 0x00000002 }' '$work/said' &&
	grep -qxF 'border_tool: nftables: the kernel refused the elements of set two: Too many open files in system' '$work/said' &&
	test \$(grep -c '^border_tool:' '$work/said') = 1"
# and every answer is read: the kernel answers all of a batch's messages
# at once, and drops what a full buffer has no room for (one of the
# default size held about 85 answers: 400,000 elements are 107 messages)
ip netns exec $x nft add set inet zsec many '{ type mark; size 1048576; }'
batch many 1-400000
check "a batch of 400,000 elements goes in, every answer read" sh -c "grep -qx 'exit 0' '$work/said' &&
	test \$(ip netns exec $x nft list set inet zsec many | grep -o '0x[0-9a-f]*' | wc -l) = 400000"
ip netns exec $x nft delete set inet zsec many

# ---- through the kernel's ESP ----

# With the kernel's ESP, a partner's traffic comes in on the outside with
# its SA in its security path, and the kernel compares it with the SA's
# selectors only after the table: the table itself requires an SA of a
# gateway of the partner whose source the packet carries, or one partner
# could spend another's limits in its name.  The SAs are made by hand here:
# the partner gateways in zbe-o encrypt with scapy, the SEG decrypts.  Each
# sending run starts its sequence numbers at 1, so each has an SA (SPI) of
# its own.  Needs a kernel with ESP (make test-kernel runs this in one).
esp_keys=$($py "$pk" esp-keys)
# sa GW SEG SPI: the SEG's inbound SA from GW
sa() { S ip xfrm state add src "$1" dst "$2" proto esp spi "$3" mode tunnel $esp_keys; }
# esp GW SEG SPI SRC DST PORT [N]: N datagrams through a new SA
esp() { sa "$1" "$2" "$3" && Ou $py "$pk" esp "$@" >/dev/null 2>&1; }
if ! sa 198.51.100.2 192.0.2.1 0x100 2>"$work/esp"; then
	if [ "${1:-}" = esp ]; then
		not_ok "through the kernel's ESP: an SA" "$(cat "$work/esp")"
	else
		ok "through the kernel's ESP # SKIP this kernel has no ESP ($(head -n 1 "$work/esp")); make test-kernel runs it"
	fi
else
	# forwarding: a packet of operator-c's SA may go in (so a reply makes
	# its connection one the table knows)
	S ip xfrm policy add src 10.3.0.0/16 dst 10.1.1.0/24 dir fwd \
		tmpl src 198.51.100.3 dst 192.0.2.1 proto esp mode tunnel
	a0=$(ctr operator-b accepted) b0=$(ctr operator-b spoofed)
	esp 198.51.100.2 192.0.2.1 0x101 10.2.0.5 172.16.1.10 9 2
	esp 198.51.100.2 192.0.2.1 0x102 2001:db8:b::5 2001:db8:ffaa:1::10 9 1
	expect_delta "through operator-b's SA (IPv4), operator-b's sources (IPv4, IPv6) are accepted" \
		operator-b accepted "$a0" 3
	expect_delta "... and none is spoofed" operator-b spoofed "$b0" 0
	# a source of operator-c through operator-b's SA: operator-b sent it
	b0=$(ctr operator-b spoofed) c0=$(ctr operator-c spoofed) a0=$(ctr operator-c accepted)
	esp 198.51.100.2 192.0.2.1 0x103 10.3.0.5 10.1.1.10 9 3
	expect_delta "through operator-b's SA, operator-c's source is dropped as operator-b's spoofed (whose SA it is)" \
		operator-b spoofed "$b0" 3
	expect_delta "... not as operator-c's" operator-c spoofed "$c0" 0
	expect_delta "... and it spends nothing of operator-c's (not accepted)" operator-c accepted "$a0" 0
	# a connection operator-c opened, known to the table once answered
	esp 198.51.100.3 192.0.2.1 0x104 10.3.0.5 10.1.1.10 7778 1
	I $py "$pk" udp 10.1.1.10 10.3.0.5 7778 >/dev/null 2>&1
	# its connection mark: this generation's tag | operator-c's id (2)
	check "operator-c's connection, answered, is one the table let in (connection mark 0x00010002)" \
		sh -c "ip netns exec $s conntrack -L -p udp --dport 7778 2>/dev/null |
			grep -v UNREPLIED | grep -q 'src=10.3.0.5 .* mark=65538 '"
	b0=$(ctr operator-b spoofed) a0=$(ctr operator-c accepted)
	esp 198.51.100.2 192.0.2.1 0x105 10.3.0.5 10.1.1.10 7778 2
	expect_delta "in operator-c's connection, through operator-b's SA: dropped as operator-b's spoofed" \
		operator-b spoofed "$b0" 2
	esp 198.51.100.3 192.0.2.1 0x106 10.3.0.5 10.1.1.10 7778 2
	expect_delta "... through operator-c's own SA: accepted" operator-c accepted "$a0" 2
	# counted by the SA's gateway (sets spoofed_sa4/6), so long as it is
	# that partner's gateway: a partner that comes may have its address
	# or its id.  sa_count SET ADDR: that count, 0 if none
	sa_count() {
		S nft list set inet zsec "$1" >"$work/sa-set" || { echo "no set $1"; return; }
		awk -v a="$2" '{ for (k = 1; k < NF; k++) if ($k == a && $(k + 1) == "counter") n = $(k + 3) }
			END { print n + 0 }' "$work/sa-set"
	}
	check "operator-b's gateway has the 5 packets through its SAs counted ($(sa_count spoofed_sa4 198.51.100.2))" \
		test "$(sa_count spoofed_sa4 198.51.100.2)" = 5
	# SAs over IPv6: the same topology with every outside address IPv6
	check "the table for IPv6 outside addresses is loaded" S "$tool" apply "$work/outside6.yaml" seg-a1
	check "... and the count of an address that is no gateway now is gone ($(sa_count spoofed_sa4 198.51.100.2))" \
		test "$(sa_count spoofed_sa4 198.51.100.2)" = 0
	b0=$(ctr operator-b spoofed) c0=$(ctr operator-c spoofed) a0=$(ctr operator-c accepted)
	esp 2001:db8:ff00::3 2001:db8:ff00::1 0x107 10.3.0.5 10.1.1.10 9 2
	esp 2001:db8:ff00::2 2001:db8:ff00::1 0x108 10.3.0.5 10.1.1.10 9 1
	expect_delta "through operator-c's SA over IPv6, its source is accepted" operator-c accepted "$a0" 2
	expect_delta "... through operator-b's, it is operator-b's spoofed" operator-b spoofed "$b0" 1
	expect_delta "... not operator-c's" operator-c spoofed "$c0" 0
	check "... counted by operator-b's IPv6 gateway ($(sa_count spoofed_sa6 2001:db8:ff00::2))" \
		test "$(sa_count spoofed_sa6 2001:db8:ff00::2)" = 1
	check "the table for IPv4 outside addresses is back" S "$tool" apply "$T" seg-a1
	esp 198.51.100.2 192.0.2.1 0x109 10.3.0.5 10.1.1.10 9 2
	check "a replacement that keeps operator-b and its gateway" S "$tool" apply "$work/changed.yaml" seg-a1
	check "... keeps what its gateway's SAs counted ($(sa_count spoofed_sa4 198.51.100.2))" \
		test "$(sa_count spoofed_sa4 198.51.100.2)" = 2
	check "operator-b goes: the table is replaced" S "$tool" apply "$work/without-b.yaml" seg-a1
	check "... and its gateway's count with it ($(sa_count spoofed_sa4 198.51.100.2))" \
		test "$(sa_count spoofed_sa4 198.51.100.2)" = 0
	check "operator-b is back: the table is replaced" S "$tool" apply "$T" seg-a1
	S ip xfrm state flush
	S ip xfrm policy flush
fi

if [ "${1:-}" = esp ]; then
	echo "1..$n"
	exit 0
fi

# ---- dry runs ----

# the ruleset less what packets add: the counting sets' and ike_buckets'
# elements (zbe-p's own MLD reports, say, count as spoofed on ipsec0 for a
# few seconds after the links come up)
ruleset() { static_ruleset $s; }
ruleset >"$work/before"
# the script that would replace the running table (its staged sets are the
# other generation)
"$tool" render "$T" seg-a1 --running "$T" >"$work/script.nft"
sed 's/goto ike_check$/goto no_such_chain/' "$work/script.nft" >"$work/broken.nft"
if S "$tool" dry-run "$work/broken.nft" >"$work/out" 2>&1; then
	not_ok "a broken script is refused by the dry run"
elif grep -qE ':[0-9]+:[0-9]+-[0-9]+: Error: .*: udp dport 500 fib daddr type local goto no_such_chain' \
	"$work/out"; then
	ok "a broken script is refused by the dry run, the error naming its line and quoting it"
else
	not_ok "a broken script is refused by the dry run, the error naming its line and quoting it" \
		"$(cat "$work/out")"
fi
# a refusal by the kernel in either staging transaction (their dry runs run
# beside the replacement's): a set's size is a hard limit; sip_limit is made
# by the first, gateways4 by the second
for set in sip_limit gateways4; do
	name="a refusal in the staging transaction of $set is caught by the dry run"
	sed "/^\t\(set\|map\) ${set}_[ab] {/,/^\t}/ s/size 64/size 1/" "$work/script.nft" \
		>"$work/broken.nft"
	if cmp -s "$work/script.nft" "$work/broken.nft"; then
		not_ok "$name" "the script has no $set of size 64 to break"
	elif S "$tool" dry-run "$work/broken.nft" >"$work/out" 2>&1; then
		not_ok "$name" "the dry run passed"
	elif grep -q 'Error: Could not process rule: Too many open files in system' "$work/out"; then
		ok "$name"
	else
		not_ok "$name" "$(cat "$work/out")"
	fi
done
S "$tool" dry-run "$work/script.nft" >"$work/out" 2>&1
check "a good script passes the dry run" test $? = 0
S "$tool" check "$work/changed.yaml" seg-a1 >>"$work/out" 2>&1
ruleset >"$work/after"
check "dry runs change nothing: nft list ruleset identical before and after" \
	diff "$work/before" "$work/after"

# everything the partners' side receives from here on, for the renumbering
# check
# (operator-b's: operator-c sees 10.1.1.0/24 as it is)
P tcpdump -n -U -Q in -i eth0 -w "$work/partner.pcap" 'net 10.2.0.0/16 or net 2001:db8:b::/48' \
	>/dev/null 2>"$work/partner.tcpdump" &
dump=$!
wait_for 10 grep -q "listening on" "$work/partner.tcpdump"

# ---- transactions side by side ----

# The staging transactions run at the same time, all but the last in child
# processes: each is committed or refused on its own, and a refusal, in a
# child or not, fails the whole with nftables' words.
printf 'add table inet zt1\n' >"$work/t1.nft"
printf 'add table inet zt2\n' >"$work/t2.nft"
printf 'add chain inet zt_none c\n' >"$work/bad.nft"
check "two transactions side by side both go through" \
	sh -c "ip netns exec $s '$tool' together '$work/t1.nft' '$work/t2.nft' &&
		ip netns exec $s nft list table inet zt1 && ip netns exec $s nft list table inet zt2"
S nft delete table inet zt1
S nft delete table inet zt2
for order in "bad.nft t1.nft" "t2.nft bad.nft"; do
	set -- $order
	where=$([ "$1" = bad.nft ] && echo "a child process" || echo "this process")
	S "$tool" together "$work/$1" "$work/$2" >"$work/out" 2>&1
	rc=$?
	good=$([ "$1" = bad.nft ] && echo "${2%.nft}" || echo "${1%.nft}")
	if [ $rc = 3 ] && grep -q 'Error: No such file or directory: add chain inet zt_none c' "$work/out" &&
		S nft list table inet "z$good" >/dev/null 2>&1; then
		ok "a transaction refused in $where: status 3, nftables' error, the other one committed"
	else
		not_ok "a transaction refused in $where: status 3, nftables' error, the other one committed" \
			"status $rc" "$(cat "$work/out")"
	fi
	S nft delete table inet "z$good" 2>/dev/null
done

# ---- exposure and renumbering ----

# The guard's entries for the inside source of what operator-b sees
# renumbered, as zsecd installs them (policy/compile.c): they drop what the
# table did not mark, so only this table's mark lets the renumbered traffic
# below through
blocks() { S awk '$1 == "XfrmOutPolBlock" { print $2 }' /proc/net/xfrm_stat; }
# inside_guard add|deleteall (iproute2 6.1 cannot delete an entry of mark
# value 0 by its key; deleteall by selector can)
inside_guard() {
	local m=
	[ "$1" = add ] && m="priority 710000 action block mark 0 mask 0x100000"
	S ip xfrm policy "$1" src 10.1.1.0/24 dst 10.2.0.0/16 dir out $m &&
	S ip xfrm policy "$1" src 2001:db8:a:1::/64 dst 2001:db8:b::/48 dir out $m &&
	[ "$1" = add ] || ! S ip xfrm policy list | grep -qE 'src (10.1.1.0/24|2001:db8:a:1::/64) dst'
}
check "the guard's entries for operator-b's renumbered inside prefixes (mark 0/0x100000)" \
	inside_guard add
blk0=$(blocks)
check "operator-b reaches the exposed host at its presented address" \
	P ping -c 2 -W 2 -q 172.16.1.10
check "operator-c reaches the exposed host at its own address (not renumbered)" \
	P ping -I 10.3.0.5 -c 2 -W 2 -q 10.1.1.10
# a lookup per length of the partners' prefixes: /16, /24 and /32 (no mask)
a0=$(ctr operator-c accepted)
check "... and from its /24 and its /32, each found in the map of its length" \
	sh -c "ip netns exec $p ping -I 10.5.5.5 -c 2 -W 2 -q 10.1.1.10 >/dev/null &&
		ip netns exec $p ping -I 10.6.0.7 -c 2 -W 2 -q 10.1.1.10 >/dev/null"
check "... counted as operator-c's ($(( $(ctr operator-c accepted) - a0 )) accepted)" \
	test "$(( $(ctr operator-c accepted) - a0 ))" = 4
check "operator-b reaches the exposed host over IPv6 at its presented address" \
	P ping -6 -c 2 -W 2 -q 2001:db8:ffaa:1::10
check "the inside host reaches operator-b" I ping -c 2 -W 2 -q 10.2.0.5
check "  the guard's entries for the inside source dropped none of it: the table marks what it renumbers" \
	test "$(blocks)" = "$blk0"
# without the mark rules (chain pre emptied), the same traffic meets them
S nft flush chain inet zsec pre
if I ping -c 2 -W 1 -q 10.2.0.5 >/dev/null 2>&1; then
	not_ok "unmarked, the inside host's packets to operator-b are dropped by the guard's entry" \
		"the ping went through"
else
	check "unmarked, the inside host's packets to operator-b are dropped by the guard's entry ($(($(blocks) - blk0)))" \
		test "$(blocks)" -gt "$blk0"
fi
check "  the table put back whole" S "$tool" apply "$T" seg-a1
check "  and the entries removed" inside_guard deleteall

b0=$(ctr operator-b not_exposed) c0=$(ctr operator-c not_exposed)
P ping -c 1 -W 1 -q 10.1.1.10 >/dev/null 2>&1
P ping -c 1 -W 1 -q 172.16.2.20 >/dev/null 2>&1
P ping -6 -c 1 -W 1 -q 2001:db8:a:1::10 >/dev/null 2>&1
I ping -I 10.1.2.20 -c 1 -W 1 -q 10.2.0.5 >/dev/null 2>&1
expect_delta "operator-b: its inside address, an address not presented (IPv4, IPv6), and an unexposed host's packet to it are dropped and counted as not exposed" \
	operator-b not_exposed "$b0" 4
P ping -I 10.3.0.5 -c 1 -W 1 -q 10.1.2.20 >/dev/null 2>&1
P ping -I 10.3.0.5 -c 1 -W 1 -q 172.16.1.10 >/dev/null 2>&1
expect_delta "operator-c: the unexposed host and operator-b's presented address are not exposed" \
	operator-c not_exposed "$c0" 2
a0=$(ctr operator-b accepted)
P ping -c 3 -W 2 -q 172.16.1.10 >/dev/null 2>&1
expect_delta "operator-b's accepted packets are counted" operator-b accepted "$a0" 3

# ---- spoofed sources ----

b0=$(ctr operator-b spoofed) z0=$(ctr - spoofed) a0=$(ctr operator-b accepted)
Ou $py "$pk" udp 10.2.0.99 172.16.1.10 9 >/dev/null 2>&1
I $py "$pk" udp 10.2.0.98 10.2.0.5 9 >/dev/null 2>&1
expect_delta "operator-b's source in clear text from outside and from inside is dropped as spoofed" \
	operator-b spoofed "$b0" 2
Ou $py "$pk" udp 10.1.1.99 10.1.1.10 9 >/dev/null 2>&1
Ou $py "$pk" udp 172.16.1.99 10.1.1.10 9 >/dev/null 2>&1
Ou $py "$pk" udp 10.1.77.1 10.1.1.10 9 >/dev/null 2>&1
expect_delta "our own (exposed, and in the domain but no partner's) and our presented addresses from outside are dropped as spoofed (the border's count)" \
	- spoofed "$z0" 3
check "the inside host's own packets are not taken for spoofed" I ping -c 1 -W 2 -q 10.2.0.5
# Through IPsec (here: in on ipsec0) only partners and our elements (Zb)
# send: a source that is neither, as a partner just removed could still
# send while its SAs live, is the border's spoofed.
z0=$(ctr - spoofed)
P $py "$pk" udp 192.0.2.77 10.1.1.10 9 >/dev/null 2>&1
P $py "$pk" udp 2001:db8:ff::77 2001:db8:a:1::10 9 >/dev/null 2>&1
expect_delta "through IPsec from no partner and no element (IPv4, IPv6) is dropped as spoofed" \
	- spoofed "$z0" 2
z0=$(ctr - spoofed)
P $py "$pk" udp 10.1.2.20 10.1.1.10 9 >/dev/null 2>&1
expect_delta "through IPsec from our element scscf-1 is not" - spoofed "$z0" 0
# A connection a partner opened does not let in packets back from anywhere:
# one from outside with the exposed host's address, as that connection's
# reply, is dropped as spoofed.
P $py "$pk" udp 10.3.0.5 10.1.1.10 7777 >/dev/null 2>&1
z0=$(ctr - spoofed)
Ou $py "$pk" udp 10.1.1.10 10.3.0.5 7777 >/dev/null 2>&1
expect_delta "the reply of operator-c's connection, from outside, is dropped as spoofed" \
	- spoofed "$z0" 1

# ---- ICMP errors and hops ----

b0=$(ctr operator-b icmp_hidden)
# 10.1.1.77 does not answer: after its neighbour probes (3 s) the SEG
# itself has a host unreachable to send
P ping -c 1 -W 5 -q 172.16.1.77 >/dev/null 2>&1 &
hu=$!
P $py "$pk" udp 10.2.0.5 172.16.1.10 9999 >/dev/null 2>&1
I $py "$pk" time-exceeded 10.1.0.254 10.2.0.5 >/dev/null 2>&1
wait $hu
expect_delta "ICMP errors to operator-b are dropped and counted: port unreachable from the host, time exceeded from a router, host unreachable from the SEG itself" \
	operator-b icmp_hidden "$b0" 3
P traceroute -n -I -w 1 -q 1 -m 4 172.16.1.10 >"$work/trace" 2>&1
check "traceroute -I from operator-b shows the presented host as the first hop, nothing inside" \
	sh -c "grep -q '^ 1  172.16.1.10 ' '$work/trace' && ! grep -qE '10\\.1\\.|169\\.254' '$work/trace'"
ttl=$(P $py "$pk" ttl-echo 10.2.0.5 172.16.1.10 3 2>/dev/null)
check "an echo sent with TTL 3 still arrives, and its reply reaches operator-b with TTL $ttl (64)" \
	test "$ttl" = 64
I timeout 5 tcpdump -n -v -c 1 -i eth0 'icmp[icmptype] = icmp-echo and src 10.2.0.5' \
	>"$work/in-ttl" 2>"$work/in-ttl.tcpdump" &
tp=$!
wait_for 5 grep -q "listening on" "$work/in-ttl.tcpdump"
P $py "$pk" ttl-echo 10.2.0.5 172.16.1.10 7 >/dev/null 2>&1
wait $tp
check "inside, operator-b's packet arrives with TTL 63 (64, less the SEG's hop)" grep -q 'ttl 63,' "$work/in-ttl"
P timeout 5 tcpdump -n -v -c 1 -i eth0 'icmp[icmptype] = icmp-echo' >"$work/p-ttl" \
	2>"$work/p-ttl.tcpdump" &
tp=$!
wait_for 5 grep -q "listening on" "$work/p-ttl.tcpdump"
I ping -t 200 -c 1 -W 2 -q 10.2.0.5 >/dev/null 2>&1
wait $tp
check "towards operator-b, a packet sent with TTL 200 arrives with TTL 64" grep -q 'ttl 64,' "$work/p-ttl"

# ---- IP options ----

b0=$(ctr operator-b ip_options) a0=$(ctr operator-b accepted)
P $py "$pk" options 10.2.0.5 172.16.1.10 >/dev/null 2>&1
P $py -c '
import logging; logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import (IPv6, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, IPv6ExtHdrDestOpt,
                       RouterAlert, PadN, ICMPv6EchoRequest, send)
ip = IPv6(src="2001:db8:b::5", dst="2001:db8:ffaa:1::10")
for ext in (IPv6ExtHdrHopByHop(options=[RouterAlert()]),
            IPv6ExtHdrRouting(addresses=["2001:db8:ffaa:1::20"]),
            IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0\0\0\0")])):
    send(ip / ext / ICMPv6EchoRequest(), verbose=0)
' >/dev/null 2>&1
expect_delta "an IPv4 packet with options, and IPv6 ones with a hop-by-hop, a routing and a destination options header, are dropped and counted" \
	operator-b ip_options "$b0" 4
expect_delta "... and none counts as accepted" operator-b accepted "$a0" 0

# ---- IKE ----

z0=$(ctr - ike_unknown) b0=$(ctr operator-b ike_over_limit)
Ou $py "$pk" udp 192.0.2.100 192.0.2.1 500 3 >/dev/null 2>&1
expect_delta "IKE (UDP 500) from a stranger is dropped and counted as unknown" - ike_unknown "$z0" 3
z0=$(ctr - ike_unknown)
Ou $py -c '
import logging; logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, UDP, send
send(IP(src="192.0.2.100", dst="192.0.2.1") / UDP(sport=4500, dport=4500) / (b"\0\0\0\0" + b"\x11" * 40), verbose=0)
' >/dev/null 2>&1
Ou $py "$pk" esp-in-udp 192.0.2.100 192.0.2.1 5 >/dev/null 2>&1
expect_delta "IKE on UDP 4500 (non-ESP marker) from a stranger is dropped; ESP-in-UDP is not IKE" \
	- ike_unknown "$z0" 1
z0=$(ctr - ike_unknown)
Ou $py -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.bind(("192.0.2.100", 0))
for a in ("192.0.2.255", "255.255.255.255", "224.0.0.1"):
    s.sendto(bytes(28), (a, 500))' >/dev/null 2>&1
expect_delta "IKE from a stranger to the link's broadcast, the limited broadcast and a multicast group is dropped as unknown (charon takes them on every address)" \
	- ike_unknown "$z0" 3
z0=$(ctr - ike_unknown)
I $py "$pk" udp 10.1.1.10 10.1.0.1 500 2 >/dev/null 2>&1
Ou $py "$pk" udp 198.51.100.3 192.0.2.1 500 2 >/dev/null 2>&1
expect_delta "IKE from our element (Zb) and from operator-c's gateway (within its limit) passes" \
	- ike_unknown "$z0" 0
z0=$(ctr - ike_unknown)
Ou $py "$pk" udp 10.1.1.10 192.0.2.1 500 2 >/dev/null 2>&1
Ou $py "$pk" udp 10.1.1.10 10.1.0.1 500 2 >/dev/null 2>&1
expect_delta "IKE in our element's name from outside, to our outside or our inside address, is dropped as unknown" \
	- ike_unknown "$z0" 4
e0=$(ctr - ike_over_limit)
I $py "$pk" udp 10.1.1.10 10.1.0.1 500 40 >/dev/null 2>&1
over=$(($(ctr - ike_over_limit) - ${e0:-0}))
check "40 IKE packets at once from our element: its own bucket, 10/s burst 20, lets about 20 pass; the rest counted as the border's IKE over limit ($over)" \
	test "$over" -ge 15 -a "$over" -le 22
Ou $py "$pk" udp 198.51.100.2 192.0.2.1 500 20 >/dev/null 2>&1
over=$(($(ctr operator-b ike_over_limit) - b0))
check "20 IKE packets at once from operator-b's gateway: its 5/s, burst 5 (its own element of ike_limit), lets about 5 pass ($over over the limit)" \
	test "$over" -ge 12 -a "$over" -le 15
c0=$(ctr operator-c ike_over_limit)
sleep 1.5                       # operator-c's bucket refills
Ou $py "$pk" udp 198.51.100.3 192.0.2.1 500 20 >/dev/null 2>&1
over=$(($(ctr operator-c ike_over_limit) - c0))
check "20 IKE packets at once from operator-c's gateway: the usual 3/s, burst 3 (a bucket made by its first packet), lets about 3 pass ($over over the limit)" \
	test "$over" -ge 14 -a "$over" -le 17
c0=$(ctr operator-b ike_over_limit)
Ou $py "$pk" esp-in-udp 198.51.100.2 192.0.2.1 30 >/dev/null 2>&1
expect_delta "ESP-in-UDP from the same gateway right after is never held by the IKE limit" \
	operator-b ike_over_limit "$c0" 0

# ---- a partner's gateway in clear text ----

# It is the partner's too: IKE, ESP and ICMP to this gateway's outside
# address, nothing into our domain nor to our inside address.
b0=$(ctr operator-b not_exposed)
check "operator-b's gateway pings this gateway's outside address" \
	Ou ping -I 198.51.100.2 -c 1 -W 2 192.0.2.1
for dst in 10.1.1.10 10.1.9.9 10.1.0.1; do      # exposed, nobody, our inside
	Ou ping -I 198.51.100.2 -c 2 -i 0.2 -W 1 $dst >/dev/null 2>&1
done
Ou $py "$pk" udp 198.51.100.2 10.1.1.10 5060 2 >/dev/null 2>&1
expect_delta "... and nothing else: its echo requests to an exposed host, to one of nobody, to our inside address, its SIP in clear, are dropped as operator-b's not exposed" \
	operator-b not_exposed "$b0" 8

# ---- a stranger in clear text ----

# Neither a partner (its prefixes, its gateways) nor one of ours: into our
# domain, or to what we present, only the answers to our own connections.
z0=$(ctr - not_exposed)
for dst in 10.1.1.10 10.1.9.9 10.1.0.1 172.16.1.10; do  # exposed, nobody, our inside, presented
	Ou ping -I 192.0.2.100 -c 1 -W 1 $dst >/dev/null 2>&1
done
Ou $py "$pk" udp 192.0.2.100 10.1.2.20 5060 2 >/dev/null 2>&1
Ou ping -6 -I 2001:db8:ff00::2 -c 1 -W 1 2001:db8:a:1::10 >/dev/null 2>&1
expect_delta "a stranger's echo requests to an exposed host, one of nobody, our inside address and a presented one, its SIP to an element, its echo over IPv6: dropped as the border's not exposed" \
	- not_exposed "$z0" 7
check "... while this gateway's outside address answers it" Ou ping -I 192.0.2.100 -c 1 -W 2 192.0.2.1
check "the inside host's echo to the stranger is answered (IPv4, IPv6)" \
	sh -c "ip netns exec $i ping -c 1 -W 2 -q 192.0.2.100 >/dev/null &&
		ip netns exec $i ping -6 -c 1 -W 2 -q 2001:db8:ff00::2 >/dev/null"
# a closed port answers with a reset, in the connection's reply direction
I timeout 5 bash -c 'exec 3<>/dev/tcp/192.0.2.100/9' 2>"$work/refused"
check "the inside host's TCP connection to a closed port of the stranger is refused, not left unanswered" \
	grep -q 'Connection refused' "$work/refused"
expect_delta "... none of that counted" - not_exposed "$z0" 7

# ---- a related packet does not tag the connection it is about ----

# An ICMP error is related to the connection whose packet it quotes: had
# it set that connection's mark, one partner could move another's
# connection into its own name (its limits, its counters; under kernel
# ESP, cut it).  Both must see the host at one address for that.
sed '/^  - name: operator-b/,/^  - name: operator-c/ { /present-as:/d }' "$T" >"$work/shared.yaml"
check "operator-b sees pcscf-1 at its own address too: the table is replaced" \
	S "$tool" apply "$work/shared.yaml" seg-a1
P $py "$pk" udp 10.3.0.5 10.1.1.10 7790 >/dev/null 2>&1
# cmark: the connection mark of operator-c's flow to 7790
cmark() {
	S conntrack -L -p udp --dport 7790 2>/dev/null |
		sed -n 's/.*src=10\.3\.0\.5 .* mark=\([0-9]*\).*/\1/p' | head -n 1
}
check "operator-c's flow carries operator-c's id, 2 (connection mark $(cmark))" \
	test "$(($(cmark) & 0xffff))" = 2
P $py -c '
import logging; logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, UDP, ICMP, send
quoted = IP(src="10.1.1.10", dst="10.3.0.5") / UDP(sport=7790, dport=7790)
send(IP(src="10.2.0.5", dst="10.1.1.10") / ICMP(type=3, code=3) / bytes(quoted)[:28], verbose=0)
' >/dev/null 2>&1
check "an ICMP error from operator-b about it leaves it operator-c's (connection mark $(cmark))" \
	test "$(($(cmark) & 0xffff))" = 2
check "operator-b is renumbered again: the table is replaced" S "$tool" apply "$T" seg-a1

# flood_at_limit WHAT PARTNER COUNTER SRC DST PORT RATE BURST [PEER]: 2,000
# UDP datagrams at 1,000/s from SRC (ADDR or ADDR:PORT) to DST:PORT are
# delivered at RATE a second after BURST, within 10 %, and PARTNER's COUNTER
# counts the rest.  With PEER (HOST:PORT), the receiver opened the flow by
# sending there first: the flood is the other side of our connection.
flood_at_limit() {
	local what=$1 who=$2 counter=$3 c0 sk got el want over
	c0=$(ctr "$who" "$counter")
	I timeout 10 $py "$pk" sink "$6" 4 ${9:-} >"$work/sink" 2>&1 &
	sk=$!
	wait_for 5 grep -q ready "$work/sink"
	P timeout 10 $py "$pk" flood "$5" "$6" 2000 1000 "$4" >"$work/flood" 2>&1
	wait $sk
	got=$(tail -n 1 "$work/sink") el=$(awk '{ print $4 }' "$work/flood")
	want=$(awk -v e="$el" -v r="$7" -v b="$8" 'BEGIN { printf "%d", r * e + b }')
	over=$(($(ctr "$who" "$counter") - c0))
	check "$what: 2,000 packets at 1,000/s over ${el}s, $got delivered, the limit allows $want ($7/s, burst $8), within 10 %" \
		awk -v g="$got" -v w="$want" 'BEGIN { exit !(g >= 0.9 * w && g <= 1.1 * w) }'
	check "... and the excess is counted as $counter ($over + $got = 2000)" test "$((over + got))" = 2000
}

# ---- the SIP limit ----

# The sink answers the first datagram: from then on the flood is a
# connection the table let in, whose every packet still meets the limit.
flood_at_limit "a SIP flood from operator-b" operator-b sip_over_limit 10.2.0.5 172.16.1.10 5060 200 20
# SIP in a connection pcscf-1 opened (from 40000 to operator-b's 5060):
# what operator-b sends back in it is SIP too
flood_at_limit "a SIP flood from operator-b in a connection we opened" operator-b sip_over_limit \
	10.2.0.5:5060 172.16.1.10 40000 200 20 10.2.0.5:5060
# first_at_limit WHAT CMD PORT: 1,000 first packets of a connection each
# (packets.py CMD: syn-flood, sctp-flood) from operator-b to its exposed
# host's PORT at 1,000/s, each judged whole on its first packet, the SIP
# limit included: let in at the limit, within 10 %, the rest counted
first_at_limit() {
	local sip0 a0 el over got want
	sip0=$(ctr operator-b sip_over_limit) a0=$(ctr operator-b accepted)
	P timeout 20 $py "$pk" "$2" 10.2.0.5 172.16.1.10 "$3" 1000 1000 >"$work/first" 2>&1
	el=$(awk '{ print $4 }' "$work/first")
	over=$(($(ctr operator-b sip_over_limit) - sip0)) got=$(($(ctr operator-b accepted) - a0))
	want=$(awk -v e="$el" 'BEGIN { printf "%d", 200 * e + 20 }')
	check "$1: 1,000 at 1,000/s over ${el}s: $got let in, the limit allows $want, within 10 %" \
		awk -v g="$got" -v w="$want" 'BEGIN { exit !(g >= 0.9 * w && g <= 1.1 * w) }'
	check "... and the rest is counted as SIP over limit ($over + $got = 1000)" test "$((over + got))" = 1000
}
first_at_limit "SIP over TCP (TLS, 5061), SYNs" syn-flood 5061
first_at_limit "SIP over SCTP (5060), INITs" sctp-flood 5060

# ---- the packet limit ----

# operator-c's, 400/s burst 40, on what is not SIP (UDP 7000)
flood_at_limit "a flood of other UDP from operator-c" operator-c packets_over_limit \
	10.3.0.5 10.1.1.10 7000 400 40

# ---- renumbering: nothing of ours reaches the partner ----

# a last datagram to operator-b, in order behind everything before it: once
# the capture has it, it has the rest
I $py "$pk" udp 10.1.1.10 10.2.0.5 7999 >/dev/null 2>&1
check "the capture at operator-b's side has the last datagram sent to it" wait_for 10 \
	sh -c "tcpdump -n -r '$work/partner.pcap' 'udp port 7999' 2>/dev/null | grep -q ."
kill $dump 2>/dev/null
wait $dump 2>/dev/null
dump=
P $py "$pk" leaks "$work/partner.pcap" 10.1.0.0/16 2001:db8:a::/48 >"$work/leaks" 2>&1
name="operator-b's side saw $(sed -n 's/^packets \([0-9]*\).*/\1/p' "$work/leaks") packets, none with an address of 10.1.0.0/16 or 2001:db8:a::/48"
if grep -q '^packets [1-9][0-9]* leaks 0$' "$work/leaks"; then
	ok "$name"
else
	not_ok "$name" "$(tail -n 20 "$work/leaks")"
fi

# ---- replacement ----

S "$tool" counters >"$work/c1"
check "operator-c's SIP limit changes: the table is replaced" S "$tool" apply "$work/changed.yaml" seg-a1
S "$tool" counters >"$work/c2"
check "... every partner keeps every counter" diff "$work/c1" "$work/c2"
# a staged set of the generation the rules use: NAME_a if odd, NAME_b if even
staged() {
	local gen
	gen=$(S nft list set inet zsec generation | sed -n 's/.*comment "generation \([0-9]*\)".*/\1/p')
	[ -n "$gen" ] && echo "$1_$([ $((gen % 2)) = 1 ] && echo a || echo b)"
}
check "... and operator-c's bucket has its new rate" \
	sh -c "ip netns exec $s nft list set inet zsec $(staged sip_limit) | grep -q '0x00000002 limit rate over 301/second'"
# A replacement must not drop what it does not change, even for the moment
# of the commit: nftables fills a new concatenation-of-intervals set
# (exposed, dnat, snat) only at the end of the commit, after the new rules
# are live.  A flood from operator-b to its presented host runs across 40
# replacements; not one of its packets may be found not exposed.
b0=$(ctr operator-b not_exposed) a0=$(ctr operator-b accepted)
P ping -f -q -w 30 172.16.1.10 >"$work/ping-f" 2>&1 &
flood=$!
replaced=0
for k in $(seq 40); do
	[ $((k % 2)) = 1 ] && f=$T || f=$work/changed.yaml
	S "$tool" apply "$f" seg-a1 >"$work/out" 2>&1 || break
	replaced=$k
done
kill -INT $flood 2>/dev/null
wait $flood
check "40 replacements while operator-b floods its presented host ($replaced)" test "$replaced" = 40
check "... the flood went through ($(( $(ctr operator-b accepted) - a0 )) accepted)" \
	test "$(( $(ctr operator-b accepted) - a0 ))" -gt 1000
expect_delta "... and not one of its packets was dropped as not exposed" operator-b not_exposed "$b0" 0
# exposed4/6, dnat4/6, snat4/6, src4_32, src4_24, src4_16, src6_48, gateways4/6,
# sa_gateways4/6, packets_limit, sip_limit
{ S nft list sets table inet zsec; S nft list maps inet; } |
	sed -n 's/^\t\(set\|map\) \([a-z0-9_]*_[ab]\) {$/\2/p' | sort >"$work/staged"
suffix=$(staged x)
check "... the rules use one generation of the staged sets, the other is gone" \
	test "$(grep -c -- "${suffix#x}\$" "$work/staged")/$(wc -l <"$work/staged")" = 16/16
check "operator-b goes: the table is replaced" S "$tool" apply "$work/without-b.yaml" seg-a1
S "$tool" counters >"$work/c3"
check "... operator-c and the border keep their counters, operator-b's are gone" \
	diff <(grep -v '^operator-b ' "$work/c1") "$work/c3"
check "operator-b comes back: with counters from zero" S "$tool" apply "$T" seg-a1
check "... all of them zero" \
	sh -c "ip netns exec $s '$tool' counters | grep '^operator-b ' | grep -qvE ' [1-9][0-9]*/'"

# A connection is let in once per generation of the table: what a
# replacement no longer exposes is cut, even in the middle of a connection
# (its later packets are judged again, not waved through by the connection
# mark of the generation that let it in).
b0=$(ctr operator-c not_exposed) a0=$(ctr operator-c accepted)
P ping -I 10.3.0.5 -i 0.1 -c 40 -W 1 10.1.1.10 >"$work/ping-c" 2>&1 &
pinger=$!
for k in $(seq 50); do
	[ "$(( $(ctr operator-c accepted) - a0 ))" -ge 5 ] && break
	sleep 0.1
done
check "operator-c's echo requests to its exposed host pass ($(( $(ctr operator-c accepted) - a0 )))" \
	test "$(( $(ctr operator-c accepted) - a0 ))" -ge 5
check "... operator-c is moved to another host: the table is replaced" \
	S "$tool" apply "$work/c-moved.yaml" seg-a1
wait $pinger
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$work/ping-c")
cut=$(( $(ctr operator-c not_exposed) - b0 ))
check "... the rest of that echo connection is dropped as not exposed ($cut dropped, $got answered of 40)" \
	test "$cut" -ge 10 -a "$((cut + got))" -ge 39
check "operator-c back to its host" S "$tool" apply "$T" seg-a1

# ---- a table of an older zsecd ----

# Upgraded, zsecd replaces the table an older zsecd left (tests/border/
# legacy.nft, with unstaged sets) in place: the partners keep their ids and
# counters, and none of the old sets stays.
check "a table of an older zsecd runs" \
	sh -c "ip netns exec $s '$tool' remove && ip netns exec $s nft -f '$top/tests/border/legacy.nft'"
a0=$(ctr operator-c accepted)
P ping -I 10.3.0.5 -i 0.2 -c 4 -W 1 10.1.1.10 >/dev/null 2>&1
a1=$(ctr operator-c accepted)
check "... its counters are read (operator-c: $((a1 - a0)) accepted)" test "$((a1 - a0))" -ge 4
check "... the module replaces it" S "$tool" apply "$T" seg-a1
check "... operator-c keeps its id and its counters ($(ctr operator-c accepted))" \
	test "$(ctr operator-c accepted)" = "$a1"
{ S nft list sets table inet zsec; S nft list maps inet; } >"$work/sets"
check "... none of the old sets is left, and the generation is the next" \
	sh -c "! grep -qE '^\s(set|map) (src[46]|gateways[46]|packets_limit|sip_limit) \{' '$work/sets' &&
		test '$(staged x)' = x_b"
P ping -I 10.3.0.5 -i 0.2 -c 4 -W 1 10.1.1.10 >/dev/null 2>&1
check "... and its rules let operator-c in ($(( $(ctr operator-c accepted) - a1 )))" \
	test "$(( $(ctr operator-c accepted) - a1 ))" -ge 4

# The table of a zsecd of before the source maps by length (tests/border/
# whole.nft: src4_a and src6_a, maps of intervals) is replaced as well.
check "a table with the source maps of intervals runs" \
	sh -c "ip netns exec $s '$tool' remove && ip netns exec $s nft -f '$top/tests/border/whole.nft'"
a0=$(ctr operator-c accepted)
check "... the module replaces it" S "$tool" apply "$T" seg-a1
{ S nft list sets table inet zsec; S nft list maps inet; } >"$work/sets"
check "... its maps of intervals are gone, the maps by length in their place" \
	sh -c "! grep -qE '^\s(map) src[46]_[ab] \{' '$work/sets' &&
		grep -qE '^\smap src4_16_b \{' '$work/sets' && grep -qE '^\smap src6_48_b \{' '$work/sets'"
P ping -I 10.3.0.5 -i 0.2 -c 4 -W 1 10.1.1.10 >/dev/null 2>&1
check "... and its rules let operator-c in ($(( $(ctr operator-c accepted) - a0 )))" \
	test "$(( $(ctr operator-c accepted) - a0 ))" -ge 4

# ---- removal ----

"$tool" render "$T" pcscf-1 >"$work/element.nft" 2>&1
check "an element's plan has no table (an empty script)" test ! -s "$work/element.nft"
check "the module removes the table" S "$tool" remove
check "... it is gone" sh -c "! ip netns exec $s nft list table inet zsec >/dev/null 2>&1"
check "removing it again is no failure" S "$tool" remove
check "counters of no table: none" test -z "$(S "$tool" counters)"

echo "1..$n"
