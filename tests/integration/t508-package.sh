#!/bin/bash
# The Debian package and `meson install`: dpkg-buildpackage builds vgpufs_*.deb from a
# scratch copy of the tree; `dpkg -x` of it holds the daemon, the unit, the tmpfiles.d
# entry and both man pages; the installed daemon prints the package's version; and
# `systemd-analyze verify` passes on the unit as installed, with its binaries and man pages
# at their paths: in a private mount namespace the package's /usr (and /lib) is laid over
# the machine's with overlayfs, so nothing is installed on this machine (no dpkg -i).
# The same for `meson install --destdir` of the build under test. Plain build only: a
# sanitizer build would only build the package again, slower.
if [ -z "${VGPUFS_T508_NS:-}" ]; then
	unshare -m true 2>/dev/null || { echo "skip: $(basename "$0" .sh) needs unshare -m"; exit 77; }
	exec env VGPUFS_T508_NS=1 unshare -m --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
need dpkg-buildpackage dpkg-deb dpkg-parsechangelog systemd-analyze systemd-tmpfiles man rsync
if ldd "$VGPUFS_BIN" | grep -q 'libasan\|libubsan'; then
	echo "skip: $TEST_NAME runs in the plain build only"
	exit 77
fi

# over_usr ROOT: ROOT's usr/ (and lib/, which a merged /usr holds) laid over the
# machine's /usr with overlayfs, in this namespace only (umount -l /usr undoes it).
over_usr() {
	local root=$1 lower=$TMP/lower-$RANDOM
	mkdir -p "$lower"
	cp -a "$root/usr" "$lower/"
	if [ -d "$root/lib" ]; then
		if [ -L /lib ]; then
			cp -a "$root/lib/." "$lower/usr/lib/"
		else
			mount -t overlay vgpufs-t508-lib -o "lowerdir=$root/lib:/lib" /lib
		fi
	fi
	mount -t overlay vgpufs-t508-usr -o "lowerdir=$lower/usr:/usr" /usr ||
		fail "cannot lay $root/usr over /usr (overlayfs)"
}

# verify UNIT: systemd-analyze verify passes on it and has nothing to say.
verify() {
	local out rc=0
	out=$(systemd-analyze verify "$1" 2>&1) || rc=$?
	if [ "$rc" != 0 ] || [ -n "$out" ]; then
		fail "systemd-analyze verify $1: status $rc: $out"
	fi
}

say "dpkg-buildpackage -b in a scratch copy of the tree"
rsync -a --exclude='/build*' --exclude=/.git "$SRC_DIR/" "$TMP/src/"
start=$SECONDS
(cd "$TMP/src" && DEB_BUILD_OPTIONS="nocheck noautodbgsym parallel=$(nproc)" \
	dpkg-buildpackage -us -uc -b) >"$TMP/dpkg-buildpackage.log" 2>&1 ||
	fail "dpkg-buildpackage failed: $(tail -n 20 "$TMP/dpkg-buildpackage.log")"
version=$(dpkg-parsechangelog -l "$TMP/src/debian/changelog" -S Version)
deb=$TMP/vgpufs_${version}_$(dpkg --print-architecture).deb
[ -f "$deb" ] || fail "no $deb: $(ls "$TMP")"
pass "$(basename "$deb") built in $((SECONDS - start)) s"

say "dpkg -x: the files a host needs"
dpkg -x "$deb" "$TMP/root"
for f in usr/sbin/vgpufs lib/systemd/system/vgpufs.service usr/lib/tmpfiles.d/vgpufs.conf \
	usr/share/man/man8/vgpufs.8.gz usr/share/man/man5/vgpufs-tree.5.gz; do
	[ -f "$TMP/root/$f" ] || fail "the package has no /$f: $(dpkg-deb -c "$deb")"
done
check_eq "the packaged vgpufs --version" "vgpufs $version" \
	"$("$TMP/root/usr/sbin/vgpufs" --version)"
check_eq "the version of the build under test" "vgpufs $version" "$("$VGPUFS_BIN" --version)"
check_grep '^ExecStart=/usr/sbin/vgpufs -f /vgpu$' "$TMP/root/lib/systemd/system/vgpufs.service"
systemd-tmpfiles --create --root="$TMP/tmpfiles" "$TMP/root/usr/lib/tmpfiles.d/vgpufs.conf" ||
	fail "systemd-tmpfiles --create failed"
check_eq "mode of /vgpu made by tmpfiles.d" 755 "$(stat -c %a "$TMP/tmpfiles/vgpu")"
check_eq "mode of /var/lib/vgpufs made by tmpfiles.d" 700 \
	"$(stat -c %a "$TMP/tmpfiles/var/lib/vgpufs")"
pass "daemon, unit, tmpfiles.d entry, man pages; --version $version"

say "the package's files laid over /usr: the unit verifies, the man pages are found"
over_usr "$TMP/root"
verify /lib/systemd/system/vgpufs.service
check_eq "vgpufs --version from PATH" "vgpufs $version" "$(PATH=/usr/sbin:$PATH vgpufs --version)"
for page in vgpufs.8 vgpufs-tree.5; do
	[ "$(man -w "$page")" = "/usr/share/man/man${page##*.}/$page.gz" ] ||
		fail "man -w does not find $page where the package put it"
	lines=$(MANWIDTH=80 man "${page##*.}" "${page%.*}" 2>&1 | wc -l)
	[ "$lines" -gt 20 ] || fail "man ${page%.*} renders $lines lines"
done
pass "systemd-analyze verify on the installed unit; man vgpufs, man 5 vgpufs-tree"
umount -l /usr # (lazily: what ran from it may still hold it)
[ -L /lib ] || umount -l /lib

say "meson install --destdir of the build under test"
prefix=$(meson introspect --buildoptions "$BUILD_DIR" |
	python3 -c 'import json, sys
print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
meson install -C "$BUILD_DIR" --no-rebuild --quiet --destdir "$TMP/dest" >"$TMP/install.log" 2>&1 ||
	fail "meson install failed: $(tail -n 20 "$TMP/install.log")"
for f in sbin/vgpufs lib/systemd/system/vgpufs.service lib/tmpfiles.d/vgpufs.conf \
	share/man/man8/vgpufs.8 share/man/man5/vgpufs-tree.5; do
	[ -f "$TMP/dest$prefix/$f" ] || fail "meson install put no $prefix/$f"
done
check_grep "^ExecStart=$prefix/sbin/vgpufs -f /vgpu\$" \
	"$TMP/dest$prefix/lib/systemd/system/vgpufs.service"
case $prefix in
/usr/*)
	over_usr "$TMP/dest"
	verify "$prefix/lib/systemd/system/vgpufs.service"
	pass "meson install: the files, and systemd-analyze verify on the unit at $prefix"
	;;
*)
	pass "meson install: the files (prefix $prefix is not under /usr: not verified)"
	;;
esac
