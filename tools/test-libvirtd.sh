#!/bin/bash
# test-libvirtd.sh — a private, real libvirtd for tests and the demo.
#
#   tools/test-libvirtd.sh start DIR   starts it, prints its test-driver URI, exits 0
#   tools/test-libvirtd.sh stop DIR    stops it (and the virtlogd it spawned), waits
#   tools/test-libvirtd.sh uri DIR     prints the URI again
#
# Why a daemon: the in-process test driver (test:///default) is private to the process
# that opens it, so `virsh` can never see or change what vgpufs sees. Through a daemon,
# every process that opens  test+unix:///default?socket=DIR/libvirt-sock  shares one set
# of domains, and lifecycle events cross processes (virsh define -> our callback).
#
# Keep one connection open. The daemon frees the shared /default state when its last
# connection closes and builds a fresh one (only the stock "test" domain) on the next
# open. A domain defined by a lone `virsh define` is therefore gone when that virsh exits,
# unless another client (the vgpufs daemon under test, or `virsh event --loop`) holds a
# connection the whole time. Open the holder first, then drive it with virsh.
# Only /default is shared: test+unix:///abs/file.xml?socket=… gives every connection a
# private copy of the file's domains, so other processes never see its changes or events.
#
# Why it runs unprivileged: a root libvirtd is the system daemon whatever its --config
# says. It takes per-driver locks in /run/libvirt/*/driver.pid (so a second instance, or
# one beside a running system libvirtd, dies with "Failed to acquire pid file"), and it
# writes /etc/libvirt/nwfilter/*.xml and /etc/libvirt/qemu/networks/default.xml.
# An unprivileged ("session") libvirtd keeps everything under $XDG_*: all of it is
# pointed into DIR, so instances in different DIRs never meet and the system libvirtd,
# running or not, is never touched. Under root the daemon runs as $TEST_LIBVIRTD_USER
# (default nobody) and DIR is chowned to it; root clients may still connect (the socket
# is 0700, root passes). As a normal user it simply runs as that user.
#
# The same daemon also serves a session QEMU driver, qemu+unix:///session?socket=…,
# whose definitions persist in DIR/config/libvirt/qemu (use <domain type='qemu'>: the
# daemon's user cannot open /dev/kvm). Starting a domain with an mdev hostdev there fails
# ("requires VFIO support"); defining, reading and undefining work.
#
# Measured on Debian 12 / libvirt 9.0: start answers in 0.1–0.3 s, stop takes ~50 ms, a
# define through one connection reaches another connection's event callback within 1 ms
# (~0.4 ms; a virsh command adds ~25–50 ms of its own start-up), and a client notices the
# daemon stopping at once (its connection reads EOF). libvirtd.log then holds harmless
# dbus, dmidecode/udev DMI and /dev/kvm complaints. DIR/libvirt-sock must be shorter than
# 108 bytes (sun_path).
#
# Environment: TEST_LIBVIRTD_USER (root only), TEST_LIBVIRTD_TIMEOUT (seconds, 20).
set -eu

die() { echo "test-libvirtd: $*" >&2; exit 1; }

usage() { die "usage: $0 start|stop|uri DIR"; }

[ $# -eq 2 ] || usage
cmd=$1
case $cmd in start | stop | uri) ;; *) usage ;; esac
dir=$(realpath -m -- "$2")
sock=$dir/libvirt-sock
uri="test+unix:///default?socket=$sock"
timeout=${TEST_LIBVIRTD_TIMEOUT:-20}

# sun_path holds 108 bytes; libvirtd would fail later with a vaguer message.
[ ${#sock} -lt 108 ] || die "$sock: path too long for a unix socket"

# running PIDFILE NAME: true if the pid in PIDFILE is a live (not zombie) NAME process,
# so that a stale pid file never makes us signal an unrelated process.
running() {
	local pid
	[ -s "$1" ] || return 1
	pid=$(cat "$1")
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] &&
		! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null
}

write_config() {
	cat > "$dir/libvirtd.conf" <<-EOF
	# written by tools/test-libvirtd.sh; unprivileged, so no unix_sock_group/ro socket
	unix_sock_dir = "$dir"
	unix_sock_rw_perms = "0700"
	auth_unix_rw = "none"
	auth_unix_ro = "none"
	log_level = 3
	log_outputs = "3:file:$dir/libvirtd.log"
	EOF
}

# as_daemon_user CMD...: runs CMD with DIR as home and every XDG directory inside DIR,
# dropping root to an unprivileged user first.
as_daemon_user() {
	local env=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$dir"
		   XDG_RUNTIME_DIR="$dir/run" XDG_CONFIG_HOME="$dir/config"
		   XDG_CACHE_HOME="$dir/cache" XDG_DATA_HOME="$dir/data"
		   XDG_STATE_HOME="$dir/state")
	if [ "$(id -u)" -eq 0 ]; then
		local user=${TEST_LIBVIRTD_USER:-nobody}
		local group
		group=$(id -gn "$user") || die "no user $user"
		setpriv --reuid="$user" --regid="$group" --init-groups "${env[@]}" "$@"
	else
		"${env[@]}" "$@"
	fi
}

prepare_dir() {
	if [ "$(id -u)" -eq 0 ]; then
		id -u "${TEST_LIBVIRTD_USER:-nobody}" >/dev/null 2>&1 ||
			die "no user ${TEST_LIBVIRTD_USER:-nobody} to run libvirtd as"
	fi
	mkdir -p "$dir/run" "$dir/config" "$dir/cache" "$dir/data" "$dir/state"
	chmod 0700 "$dir/run"
	write_config
	rm -f "$sock" "$dir/pid"
	if [ "$(id -u)" -eq 0 ]; then
		chown -R "${TEST_LIBVIRTD_USER:-nobody}:" "$dir"
	fi
	as_daemon_user test -w "$dir/run" ||
		die "$dir: not writable by the daemon's user (is a parent directory private?)"
}

wait_ready() {
	local deadline=$((SECONDS + timeout))
	while [ $SECONDS -lt $deadline ]; do
		if [ -S "$sock" ] && virsh -q -c "$uri" list --all >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

start() {
	if running "$dir/pid" libvirtd; then
		echo "$uri"
		return 0
	fi
	command -v libvirtd >/dev/null || die "libvirtd not installed (Debian: libvirt-daemon)"
	command -v virsh >/dev/null || die "virsh not installed (Debian: libvirt-clients)"
	prepare_dir
	# --daemon: the parent returns once the daemon is set up (non-zero if that failed).
	(cd "$dir" && as_daemon_user setsid libvirtd --daemon \
		--config "$dir/libvirtd.conf" --pid-file "$dir/pid" </dev/null \
		>"$dir/stdout" 2>&1) || true
	if ! wait_ready; then
		echo "test-libvirtd: libvirtd in $dir did not answer within ${timeout}s" >&2
		tail -n 5 "$dir/libvirtd.log" "$dir/stdout" >&2 2>/dev/null || true
		stop >/dev/null 2>&1 || true
		exit 1
	fi
	echo "$uri"
}

# stop_pidfile PIDFILE NAME: TERM, wait up to 10 s, then KILL.
stop_pidfile() {
	local pid i
	running "$1" "$2" || return 0
	pid=$(cat "$1")
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 100; i++)); do
		running "$1" "$2" || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	sleep 0.1
}

stop() {
	stop_pidfile "$dir/pid" libvirtd
	# the session daemon spawns its own virtlogd (it would linger for 120 s)
	stop_pidfile "$dir/run/libvirt/virtlogd.pid" virtlogd
	rm -f "$dir/pid" "$sock"
}

case $cmd in
start) start ;;
stop) [ ! -d "$dir" ] || stop ;;
uri) echo "$uri" ;;
esac
