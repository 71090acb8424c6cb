#!/usr/bin/env bash
# One partner changed and applied 100 times while traffic flows to the two
# others: not one clear-text packet on the Za wire, and nothing lost on the
# unchanged partners' flows.
. "$(dirname "$0")/lib.sh"

topo=$top/tests/integration/topologies
check "lab up of operator-a and its three partners" \
	lab_up "$topo/three-a.yaml" "$topo/three-b.yaml" "$topo/three-c.yaml" "$topo/three-d.yaml"
check "every link up" wait_for 90 all_up $(lab_nodes)

a=$topo/.three-a.16.yaml
b=$topo/.three-a.17.yaml
trap 'rm -f "$a" "$b"; finish' EXIT
cp "$topo/three-a.yaml" "$a"
sed 's|prefixes: \[10.3.0.0/16\]|prefixes: [10.3.0.0/17]|' "$topo/three-a.yaml" > "$b"

capture za seg-a1 out
"$zsecctl" lab exec pcscf-1 -- stdbuf -oL ping -i 0.05 10.2.1.10 > "$tmp/b.flow" 2>&1 &
fb=$!
"$zsecctl" lab exec pcscf-1 -- stdbuf -oL ping -i 0.05 10.4.1.10 > "$tmp/d.flow" 2>&1 &
fd=$!
wait_for 10 grep -q 'bytes from' "$tmp/b.flow"
wait_for 10 grep -q 'bytes from' "$tmp/d.flow"

replies() { grep -c 'bytes from' "$tmp/$1.flow"; }
spi() { link_field seg-a1 za:operator-c:seg-c1 spi_in; }
c_renewed() { [ "$(link_field seg-a1 za:operator-c:seg-c1 state)" = up ] && [ "$(spi)" != "$1" ]; }
applied=0
for i in $(seq 100); do
	old=$(spi)
	[ $((i % 2)) = 1 ] && f=$b || f=$a
	in_node seg-a1 "$zsecctl" apply "$f" > "$tmp/apply.out" 2>&1 || break
	# as an operator would: the next change once this one is through
	wait_for 30 c_renewed "$old" || break
	applied=$i
done
check "operator-c changed and applied 100 times ($applied)" test "$applied" = 100
kill -INT "$fb" "$fd"
wait "$fb" "$fd"
stop_captures
check "not one clear-text packet on the Za wire" \
	python3 "$pcap" clear-inner "$tmp/za.pcap" 10.1.0.0/16 10.2.0.0/16 10.3.0.0/16 10.4.0.0/16
# lost: requests sent before the last answered one that got no answer (a
# late answer still counts as an answer; the one in flight when the flow is
# stopped is not a loss)
lost() { python3 -c '
import re, sys
seq = {int(m) for m in re.findall(r"bytes from .* icmp_seq=(\d+)", open(sys.argv[1]).read())}
print(max(seq) - len(seq) if seq else -1)' "$tmp/$1.flow"; }
check "the flow to operator-b lost nothing ($(replies b) answered, $(lost b) lost)" test "$(lost b)" = 0
check "the flow to operator-d lost nothing ($(replies d) answered, $(lost d) lost)" test "$(lost d)" = 0
echo "1..$n"
exit $((failures > 0))
