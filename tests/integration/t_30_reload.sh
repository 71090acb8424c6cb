#!/usr/bin/env bash
# Reload: three partners up; one partner changed and applied: the other two
# keep their SAs (same SPIs: not rekeyed, not re-established) and the
# changed one comes back with its new selectors; a removed partner's SAs
# are gone, on both ends.
. "$(dirname "$0")/lib.sh"

topo=$top/tests/integration/topologies
check "lab up of operator-a and its three partners" \
	lab_up "$topo/three-a.yaml" "$topo/three-b.yaml" "$topo/three-c.yaml" "$topo/three-d.yaml"
check "every link up" wait_for 90 all_up $(lab_nodes)

spis() { echo "$(link_field seg-a1 "$1" spi_in)/$(link_field seg-a1 "$1" spi_out)"; }
b0=$(spis za:operator-b:seg-b1)
d0=$(spis za:operator-d:seg-d1)
c0=$(spis za:operator-c:seg-c1)
diag "SPIs before: b $b0, c $c0, d $d0"

# operator-c's prefixes narrowed; everything else as before
changed=$topo/.three-a.changed.yaml
trap 'rm -f "$changed" "$topo/.three-a.removed.yaml"; finish' EXIT
sed 's|prefixes: \[10.3.0.0/16\]|prefixes: [10.3.0.0/17]|' "$topo/three-a.yaml" > "$changed"
# a flow to operator-b runs across the change: it must lose nothing
"$zsecctl" lab exec pcscf-1 -- ping -i 0.05 -c 120 -W 1 10.2.1.10 > "$tmp/flow.txt" 2>&1 &
flow=$!
wait_for 5 grep -q "bytes from" "$tmp/flow.txt"
check "zsecctl apply of the changed file succeeds" in_node seg-a1 "$zsecctl" apply "$changed"
c_changed() { [ "$(link_field seg-a1 za:operator-c:seg-c1 state)" = up ] &&
	[ "$(spis za:operator-c:seg-c1)" != "$c0" ]; }
check "the changed partner's link comes back with new SAs" wait_for 60 c_changed
# a rekey in the same IKE_SA, not a second CHILD_SA beside the first
check "by a rekey ($(link_field seg-a1 za:operator-c:seg-c1 last_event | cut -c1-40))" \
	grep -q '^child-rekey ' <<< "$(link_field seg-a1 za:operator-c:seg-c1 last_event)"
b1=$(spis za:operator-b:seg-b1)
d1=$(spis za:operator-d:seg-d1)
check "operator-b kept its SPIs ($b0)" test "$b1" = "$b0"
wait "$flow"
check "the flow to operator-b lost nothing while operator-c changed ($(grep -o '[0-9]* received' "$tmp/flow.txt"))" \
	grep -q " 0% packet loss" "$tmp/flow.txt"
check "operator-d kept its SPIs ($d0)" test "$d1" = "$d0"

# operator-d removed
grep -v '^#' "$changed" | python3 -c '
import sys
out, skip = [], False
for line in sys.stdin:
    if line.startswith("  - name: "):
        skip = line.strip() == "- name: operator-d"
    if not skip:
        out.append(line)
sys.stdout.write("".join(out))' > "$topo/.three-a.removed.yaml"
check "zsecctl apply of the file without operator-d succeeds" \
	in_node seg-a1 "$zsecctl" apply "$topo/.three-a.removed.yaml"
gone() { ! in_node seg-a1 "$zsecctl" status | grep -q 'za:operator-d'; }
check "seg-a1 no longer has a link to operator-d" wait_for 10 gone
d_down() { [ "$(link_field seg-d1 za:operator-a:seg-a1 state)" != up ]; }
check "operator-d's end of the link is down: its SAs were deleted" wait_for 30 d_down
check "operator-b still has its SPIs" test "$(spis za:operator-b:seg-b1)" = "$b0"
check "operator-c still has its new SPIs" test "$(spis za:operator-c:seg-c1)" != "$c0"
check "traffic to operator-b still flows" in_node pcscf-1 ping -c 2 -W 2 10.2.1.10
echo "1..$n"
exit $((failures > 0))
