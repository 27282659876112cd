#!/bin/bash
# gpus/ lists exactly the physical GPUs of the host, with their PCI identity.
. "$(dirname "$0")/lib.sh"

check_host() {
	start_sim "$1"
	start_vgpufs
	say "gpus/ holds the physical GPUs the host file describes, and nothing else"
	expected=$(sim_gpus)
	actual=$(ls "$MNT/gpus")
	check_eq "gpus/ vs the simulator's physical NVIDIA display/3D functions" "$expected" "$actual"
	check_eq "number of GPUs vs the host file" "$(host_gpus "$HOST_FILE" | wc -l)" "$(wc -l <<<"$actual")"
	pass "$(wc -l <<<"$actual") GPUs, $(sed -n 1p <<<"$actual") to $(sed -n '$p' <<<"$actual")"

	say "the same set as lspci shows, minus VFs (physfn) and non-display functions"
	lspci=$(lspci -A linux-sysfs -O "sysfs.path=$SIM/bus/pci" -D -n 2>"$TMP/lspci.err") ||
		fail "lspci failed: $(cat "$TMP/lspci.err")"
	from_lspci=$(awk '$3 ~ /^10de:/ && ($2 == "0300:" || $2 == "0302:") { print $1 }' <<<"$lspci" |
		while read -r bdf; do
			[ -L "$SIM/bus/pci/devices/$bdf/physfn" ] || echo "$bdf"
		done | sort)
	check_eq "GPUs per lspci" "$from_lspci" "$actual"
	pass "lspci agrees"

	say "vendor device subsystem_* class match sysfs and lspci"
	for bdf in $actual; do
		for attr in vendor device subsystem_vendor subsystem_device class; do
			check_file_eq "gpus/$bdf/$attr" "$SIM/bus/pci/devices/$bdf/$attr" "$MNT/gpus/$bdf/$attr"
		done
		vendor=$(<"$MNT/gpus/$bdf/vendor") device=$(<"$MNT/gpus/$bdf/device") class=$(<"$MNT/gpus/$bdf/class")
		line=$(awk -v b="$bdf" '$1 == b' <<<"$lspci")
		check_eq "lspci line of $bdf" "$bdf ${class:2:4}: ${vendor#0x}:${device#0x}" "$(cut -d' ' -f1-3 <<<"$line")"
	done
	pass "PCI identity of every GPU"

	say "mode, numa_node, kernel_driver, name per GPU follow the host file"
	# GPUs are matched to the host file's lines in BDF order: buses are given
	# in file order, or ascend from 0x41 in it.
	i=0
	host_gpus "$HOST_FILE" >"$TMP/host-gpus"
	for bdf in $actual; do
		i=$((i + 1))
		read -r model mode node < <(sed -n "${i}p" "$TMP/host-gpus")
		case $mode in mdev-sriov) mode=mdev ;; esac
		check_eq "gpus/$bdf/mode ($model)" "$mode" "$(<"$MNT/gpus/$bdf/mode")"
		check_eq "gpus/$bdf/mode vs the simulator's sysfs" "$(sim_mode "$bdf")" "$(<"$MNT/gpus/$bdf/mode")"
		check_eq "gpus/$bdf/numa_node" "$node" "$(<"$MNT/gpus/$bdf/numa_node")"
		check_file_eq "gpus/$bdf/numa_node" "$SIM/bus/pci/devices/$bdf/numa_node" "$MNT/gpus/$bdf/numa_node"
		check_eq "gpus/$bdf/kernel_driver" nvidia "$(<"$MNT/gpus/$bdf/kernel_driver")"
		if [ -L "$SIM/bus/pci/devices/$bdf/iommu_group" ]; then
			check_eq "gpus/$bdf/iommu_group" "$(basename "$(readlink "$SIM/bus/pci/devices/$bdf/iommu_group")")" \
				"$(<"$MNT/gpus/$bdf/iommu_group")"
		fi
		grep -qwF "$model" "$MNT/gpus/$bdf/name" || fail "gpus/$bdf/name '$(<"$MNT/gpus/$bdf/name")' does not name $model"
		echo "  $bdf $(<"$MNT/gpus/$bdf/mode") node $(<"$MNT/gpus/$bdf/numa_node") $(<"$MNT/gpus/$bdf/name")"
	done
	pass "per-GPU attributes"

	say "no VF and no audio function appears in gpus/"
	others=0
	for dev in "$SIM"/bus/pci/devices/*; do
		bdf=${dev##*/}
		[ "$(<"$dev/vendor")" = 0x10de ] || continue
		if [ -L "$dev/physfn" ] || [[ $(<"$dev/class") != 0x030[02]* ]]; then
			others=$((others + 1))
			[ ! -e "$MNT/gpus/$bdf" ] || fail "gpus/$bdf exists but is a VF or class $(<"$dev/class")"
		fi
	done
	[ "$others" -gt 0 ] || fail "the simulated host has no VF or audio function: the check proved nothing"
	pass "$others VFs and audio functions left out"
	quit_vgpufs
	stop_sim
}

for host in demo.host small.host big.host; do
	check_host "$host"
done
