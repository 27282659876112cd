#!/bin/bash
# Large files and the tools people upload with: a 256 MiB cp read back whole,
# sftp, rsync -a (a hidden temporary file renamed into place), install; a
# copy of a bundle cut short is stored but invalid ("truncated"), and gives no
# driver until the whole bundle arrives.
. "$(dirname "$0")/lib.sh"

need rsync sftp sha256sum
[ -x /usr/lib/openssh/sftp-server ] || { echo "skip: $TEST_NAME needs /usr/lib/openssh/sftp-server"; exit 77; }

start_sim demo.host
start_vgpufs
cd "$MNT"
store=$TMP/state/media

sha() { sha256sum <"$1" | cut -d' ' -f1; }
listed() { ls -A media | grep -Fxq -- "$1"; }
# check_stored NAME SRC: listed, same bytes as SRC read back through the
# mount, media-info's size and sha256 those of SRC, ls -l the same size.
check_stored() {
	local want
	want=$(sha "$2")
	listed "$1" || fail "media/$1 is not listed: $(ls media)"
	check_eq "sha256sum of media/$1 read back" "$want" "$(sha "media/$1")"
	check_val "media-info/$1/sha256" "$want"
	check_val "media-info/$1/size" "$(stat -c %s "$2")"
	check_eq "ls -l size of media/$1" "$(stat -c %s "$2")" "$(stat -c %s "media/$1")"
}

say "a 256 MiB file: cp in, read back, digest and size as media-info says"
head -c 256M /dev/urandom >"$TMP/big.img"
cp "$TMP/big.img" media/
check_stored big.img "$TMP/big.img"
check_val media-info/big.img/kind other
check_val media-info/big.img/state ok
[ -z "$(find "$TMP/state/uploads" -type f)" ] || fail "upload files left: $(find "$TMP/state/uploads" -type f)"
rm media/big.img
listed big.img && fail "media/big.img still listed after rm"
[ -e "$store/big.img" ] && fail "$store/big.img still in the store after rm"
rm "$TMP/big.img"
pass "256 MiB"

head -c 24M /dev/urandom >"$TMP/mid.bin"

say "sftp put (the server's working directory is the mount)"
cat >"$TMP/sftp.batch" <<EOF
put $TMP/mid.bin media/sftp.bin
put $TMP/mid.bin media/sftp-p.bin
chmod 600 media/sftp-p.bin
get media/sftp.bin $TMP/sftp-back.bin
ls -l media
EOF
sftp -q -D /usr/lib/openssh/sftp-server -b "$TMP/sftp.batch" >"$TMP/sftp.log" 2>&1 ||
	fail "sftp batch failed: $(cat "$TMP/sftp.log")"
check_stored sftp.bin "$TMP/mid.bin"
check_stored sftp-p.bin "$TMP/mid.bin"
check_eq "mode after sftp chmod" 600 "$(stat -c %a media/sftp-p.bin)"
cmp -s "$TMP/mid.bin" "$TMP/sftp-back.bin" || fail "sftp get of media/sftp.bin differs"
grep -q 'sftp.bin' "$TMP/sftp.log" || fail "sftp's ls does not list sftp.bin: $(cat "$TMP/sftp.log")"
pass "sftp"

say "rsync -a: contents, modes and mtimes; no temporary file left"
mkdir -p "$TMP/src"
cp "$TMP/mid.bin" "$TMP/src/r-mid.bin"
printf 'a small one\n' >"$TMP/src/r-small.txt"
chmod 0640 "$TMP/src/r-mid.bin"
chmod 0604 "$TMP/src/r-small.txt"
touch -d '2022-02-03 04:05:06 UTC' "$TMP/src/r-mid.bin"
touch -d '2018-07-08 09:10:11 UTC' "$TMP/src/r-small.txt"
rsync -a "$TMP/src/r-mid.bin" "$TMP/src/r-small.txt" media/ || fail "rsync -a into media/ failed"
for f in r-mid.bin r-small.txt; do
	check_stored "$f" "$TMP/src/$f"
	check_eq "rsync -a: mode of $f" "$(stat -c %a "$TMP/src/$f")" "$(stat -c %a "media/$f")"
	check_eq "rsync -a: mtime of $f" "$(stat -c %Y "$TMP/src/$f")" "$(stat -c %Y "media/$f")"
done
ls -A media | grep -q '^\.' && fail "rsync left a dot-file in media/: $(ls -A media)"
ls -A "$store" | grep -q '^\.' && fail "rsync left a dot-file in the store: $(ls -A "$store")"
ls media-info | grep -q '^\.' && fail "media-info lists a dot-name: $(ls media-info)"
say "rsync again after a change: the file is replaced through its temporary name"
printf 'changed\n' >>"$TMP/src/r-small.txt"
touch -d '2018-07-09 00:00:00 UTC' "$TMP/src/r-small.txt"
rsync -a "$TMP/src/r-mid.bin" "$TMP/src/r-small.txt" media/ || fail "second rsync -a failed"
check_stored r-small.txt "$TMP/src/r-small.txt"
check_eq "rsync -a: new mtime" "$(stat -c %Y "$TMP/src/r-small.txt")" "$(stat -c %Y media/r-small.txt)"
rsync -a --checksum --dry-run --itemize-changes "$TMP/src/r-mid.bin" "$TMP/src/r-small.txt" media/ >"$TMP/rsync-dry" ||
	fail "rsync --dry-run failed"
[ ! -s "$TMP/rsync-dry" ] || fail "rsync still sees differences: $(cat "$TMP/rsync-dry")"
pass "rsync"

say "install -m 0600 -p"
install -m 0600 -p "$TMP/src/r-mid.bin" media/installed.bin
check_stored installed.bin "$TMP/src/r-mid.bin"
check_eq "install: mode" 600 "$(stat -c %a media/installed.bin)"
check_eq "install -p: mtime" "$(stat -c %Y "$TMP/src/r-mid.bin")" "$(stat -c %Y media/installed.bin)"
rm "$TMP/mid.bin" "$TMP/sftp-back.bin" media/sftp.bin media/sftp-p.bin media/installed.bin
pass "install"

say "a copy of a bundle cut short: stored, invalid (truncated), no driver from it"
python3 "$SRC_DIR/tools/make-bundles.py" --size-mib 40 --only "$BUNDLE_535" "$TMP/large" >/dev/null ||
	fail "make-bundles.py --size-mib 40 failed"
zip=$TMP/large/$BUNDLE_535
size=$(stat -c %s "$zip")
head -c $((size / 2)) "$zip" >"$TMP/half.zip"
head -c $((size / 2)) "$zip" >media/cut.zip
check_stored cut.zip "$TMP/half.zip"
check_val media-info/cut.zip/kind driver-bundle
grep -q '^invalid: truncated' media-info/cut.zip/state ||
	fail "media-info/cut.zip/state: $(cat media-info/cut.zip/state)"
ls drivers | grep -q 535.161.05 && fail "drivers/ lists 535.161.05 from the cut copy"
check_grep "^$EVENT_TIME media/cut.zip stored: driver-bundle, $((size / 2)) bytes, invalid: truncated" events
pass "cut copy"

say "a cp killed mid-copy (SIGKILL): what it wrote is stored, invalid, no driver"
python3 - "$zip" "$MNT/media/killed.zip" "$TMP/killed-half" <<'EOF' &
import os, sys, time
src = open(sys.argv[1], "rb")
dst = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
left = os.path.getsize(sys.argv[1]) // 3
while left > 0:
    chunk = src.read(min(left, 1 << 20))
    os.write(dst, chunk)
    left -= len(chunk)
open(sys.argv[3], "w").close()
time.sleep(60)
EOF
copier=$!
wait_until 20 "the copier wrote a third" test -e "$TMP/killed-half"
listed killed.zip && fail "media/killed.zip listed while being copied"
kill -KILL "$copier"
wait "$copier" 2>/dev/null || true
# the kernel closes the killed process's file, and that close publishes it
wait_until 10 "media/killed.zip published after the kill" listed killed.zip
wait_until 10 "media-info/killed.zip described" test -s media-info/killed.zip/state
head -c $((size / 3)) "$zip" >"$TMP/third.zip"
check_stored killed.zip "$TMP/third.zip"
check_val media-info/killed.zip/kind driver-bundle
grep -q '^invalid: truncated' media-info/killed.zip/state ||
	fail "media-info/killed.zip/state: $(cat media-info/killed.zip/state)"
ls drivers | grep -q 535.161.05 && fail "drivers/ lists 535.161.05 from the killed copy"
pass "killed copy"

say "the whole bundle then gives the driver, from that file only"
cp "$zip" media/
check_stored "$BUNDLE_535" "$zip"
check_val "media-info/$BUNDLE_535/state" ok
ls drivers | grep -qx 535.161.05 || fail "drivers/ does not list 535.161.05: $(ls drivers)"
check_list drivers/535.161.05/bundles "$BUNDLE_535"
check_val drivers/535.161.05/host_package Host_Drivers/NVIDIA-Linux-x86_64-535.161.05-vgpu-kvm.run
pass "whole bundle"

say "a restart keeps the large files and what is known of them"
for f in media-info/*; do echo "${f#*/} $(cat "$f/size") $(cat "$f/sha256") $(cat "$f/state")"; done >"$TMP/info-before"
restart_vgpufs
for f in media-info/*; do echo "${f#*/} $(cat "$f/size") $(cat "$f/sha256") $(cat "$f/state")"; done >"$TMP/info-after"
check_file_eq "media-info across a restart" "$TMP/info-before" "$TMP/info-after"
check_stored "$BUNDLE_535" "$zip"
pass "restart"

stop_vgpufs
