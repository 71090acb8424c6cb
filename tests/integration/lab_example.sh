# lab_example.sh: lib.sh, plus the two-operator example up with every link up
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ex=$top/topology/examples
check "lab up of the two-operator example" lab_up "$ex/operator-a.yaml" "$ex/operator-b.yaml"
check "every Za and Zb link of every node is up" wait_for 60 all_up $(lab_nodes)
