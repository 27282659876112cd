#!/bin/bash
# types/ of each GPU and the profiles/ catalogue match the host's vGPU types.
. "$(dirname "$0")/lib.sh"

check_host() {
	start_sim "$1"
	start_vgpufs
	# series: the letter after the frame-buffer size, e.g. T4-2B4 -> B, A40-48Q -> Q
	series_of() {
		sed -E 's/^.*-[0-9]+([A-Z]).*$/\1/' <<<"$1"
	}

	# parse_description FILE: "num_heads=4, frl_config=60, framebuffer=2048M, ..."
	# into the array desc, key by key (order and presence are not guaranteed).
	declare -A desc
	parse_description() {
		local pair key
		desc=()
		IFS=, read -ra pairs <"$1"
		for pair in "${pairs[@]}"; do
			pair=${pair# }
			key=${pair%%=*}
			desc[$key]=${pair#*=}
		done
	}

	say "types/ of each GPU = the simulator's types by short profile (last word of name)"
	: >"$TMP/all-types"
	for bdf in $(ls "$MNT/gpus"); do
		sim_types "$bdf" >"$TMP/sim-types"
		[ -s "$TMP/sim-types" ] || fail "the simulator offers no type on $bdf"
		check_eq "ls gpus/$bdf/types" "$(cut -f1 "$TMP/sim-types")" "$(ls "$MNT/gpus/$bdf/types")"
		mode=$(<"$MNT/gpus/$bdf/mode")
		parent=$(sim_mdev_parents "$bdf" | sed -n 1p)
		while IFS=$'\t' read -r profile type_id available name; do
			t=$MNT/gpus/$bdf/types/$profile
			check_eq "$t/type_id" "$type_id" "$(<"$t/type_id")"
			check_eq "$t/name" "$name" "$(<"$t/name")"
			check_eq "$t/available" "$available" "$(<"$t/available")"
			check_eq "$t/series" "$(series_of "$profile")" "$(<"$t/series")"
			if [ "$mode" = mdev ]; then
				parse_description "$SIM/class/mdev_bus/$parent/mdev_supported_types/$type_id/description"
				check_eq "$t/framebuffer_mib" "${desc[framebuffer]%M}" "$(<"$t/framebuffer_mib")"
				check_eq "$t/heads" "${desc[num_heads]}" "$(<"$t/heads")"
				check_eq "$t/frl" "${desc[frl_config]}" "$(<"$t/frl")"
				check_eq "$t/max_resolution" "${desc[max_resolution]}" "$(<"$t/max_resolution")"
				check_eq "$t/max_instances" "${desc[max_instance]}" "$(<"$t/max_instances")"
			fi
			for attr in framebuffer_mib heads frl max_instances; do
				[[ $(<"$t/$attr") =~ ^[0-9]+$ ]] || fail "$t/$attr is not a number: '$(<"$t/$attr")'"
			done
			printf '%s %s %s\n' "$profile" "$bdf" "$available" >>"$TMP/all-types"
		done <"$TMP/sim-types"
		echo "  $bdf ($mode): $(wc -l <"$TMP/sim-types") types"
	done
	pass "types/ of every GPU"

	say "profiles/ = the union of all GPUs' types"
	check_eq "ls profiles" "$(cut -d' ' -f1 "$TMP/all-types" | sort -u)" "$(ls "$MNT/profiles")"
	pass "$(ls "$MNT/profiles" | wc -l) profiles"

	say "profiles/<P>/gpus lists the GPUs offering P; available is their sum; the rest is the type's"
	declare -A expected_gpus expected_available
	while read -r profile bdf available; do
		expected_gpus[$profile]+=$bdf$'\n'
		expected_available[$profile]=$((${expected_available[$profile]:-0} + available))
	done <"$TMP/all-types"
	attrs="framebuffer_mib series heads max_instances max_resolution frl"
	for p in $(ls "$MNT/profiles"); do
		check_eq "profiles/$p/gpus" "${expected_gpus[$p]%$'\n'}" "$(<"$MNT/profiles/$p/gpus")"
		check_eq "profiles/$p/available" "${expected_available[$p]}" "$(<"$MNT/profiles/$p/available")"
		first=${expected_gpus[$p]%%$'\n'*}
		# one cat per side: the six values, byte for byte, newlines included
		check_eq "profiles/$p/{${attrs// /,}} vs gpus/$first/types/$p/" \
			"$(cd "$MNT/gpus/$first/types/$p" && cat $attrs && echo .)" \
			"$(cd "$MNT/profiles/$p" && cat $attrs && echo .)"
	done
	pass "profiles/ catalogue"
	quit_vgpufs
	stop_sim
}

for host in demo.host small.host; do
	check_host "$host"
done
