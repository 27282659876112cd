#!/bin/bash
# media/ is a real file store: an upload shows when its writer closes it,
# dot-names are staging files (published by a rename, swept at start), the
# metadata tools set is kept, names are checked, a file a group uses cannot be
# removed, renamed or overwritten (EBUSY, naming the group), and everything
# survives a restart.
. "$(dirname "$0")/lib.sh"

start_sim demo.host
start_vgpufs
cd "$MNT"
store=$TMP/state/media

# info NAME FIELD: media-info/NAME/FIELD.
info() { cat "media-info/$1/$2"; }
sha() { sha256sum <"$1" | cut -d' ' -f1; }
listed() { ls media | grep -Fxq -- "$1"; }
# lists DIR NAME: DIR lists NAME (a lookup may answer from the kernel's 1 s entry
# cache after an entry went; a listing does not).
lists() { ls -A "$1" | grep -Fxq -- "$2"; }
# check_stored NAME SRC: media/NAME is listed, reads SRC's bytes, and
# media-info/NAME has SRC's size and sha256.
check_stored() {
	listed "$1" || fail "media/$1 is not listed: $(ls media)"
	cmp -s "$2" "media/$1" || fail "media/$1 does not read the bytes uploaded"
	check_val "media-info/$1/size" "$(stat -c %s "$2")"
	check_val "media-info/$1/sha256" "$(sha "$2")"
	check_eq "ls -l size of media/$1" "$(stat -c %s "$2")" "$(stat -c %s "media/$1")"
}

head -c 100000 /dev/urandom >"$TMP/data.bin"
printf 'hello\n' >"$TMP/small.txt"

say "cp: the file is listed, readable and described once cp closes it"
check_eq "ls media (empty store)" "" "$(ls -A media)"
cp "$TMP/data.bin" media/
check_stored data.bin "$TMP/data.bin"
check_val media-info/data.bin/kind other
check_val media-info/data.bin/state ok
check_list media-info/data.bin/used_by ""
check_val media-info/data.bin/error ""
cmp -s "$TMP/data.bin" "$store/data.bin" || fail "the backing file $store/data.bin differs"
check_grep "^$EVENT_TIME media/data.bin stored: other, 100000 bytes\$" events
pass "cp into media/"

say "an upload still being written: not listed, not opened by others, stat answers"
python3 - "$MNT/media/pending.bin" "$TMP" <<'EOF' &
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
os.write(fd, b"x" * 5000)
open(sys.argv[2] + "/pending-written", "w").close()
while not os.path.exists(sys.argv[2] + "/pending-go"):
    time.sleep(0.02)
os.write(fd, b"y" * 5000)
os.close(fd)
EOF
writer=$!
wait_until 10 "the writer wrote its first half" test -e "$TMP/pending-written"
listed pending.bin && fail "media/pending.bin is listed while its writer still has it open"
lists media-info pending.bin && fail "media-info/pending.bin exists while it is being written"
expect_fail_errno "$ENOENT" cat media/pending.bin
check_eq "stat size of the upload in progress" 5000 "$(stat -c %s media/pending.bin)"
chmod 0640 media/pending.bin || fail "chmod of an upload in progress failed"
touch -d '2021-03-04 05:06:07 UTC' media/pending.bin || fail "touch of an upload in progress failed"
ls "$store" | grep -q pending && fail "the upload in progress is in $store already"
touch "$TMP/pending-go"
wait "$writer" || fail "the writer failed"
listed pending.bin || fail "media/pending.bin not listed after its writer closed it"
check_val media-info/pending.bin/size 10000
check_eq "mode set while uploading" 640 "$(stat -c %a media/pending.bin)"
pass "an upload in progress is invisible until closed"

say "dot-names are staging files, published by mv"
cp "$TMP/small.txt" media/.staged
lists media-info .staged && fail "media-info/.staged exists"
ls -A media-info | grep -q '^\.' && fail "media-info/ lists a dot-name: $(ls -A media-info)"
cmp -s "$TMP/small.txt" "$store/.staged" || fail "the staging file is not written in place in $store"
mv media/.staged media/staged.txt
check_stored staged.txt "$TMP/small.txt"
[ -e "$store/.staged" ] && fail ".staged still in $store after the mv"
ls -A media | grep -q '^\.staged$' && fail "ls -A media still lists .staged"
check_val media-info/staged.txt/kind other
cp "$(bundle "$BUNDLE_470")" media/.bundle.zip
lists drivers 470.256.02 && fail "drivers/ lists 470.256.02 from a staging file"
lists media-info .bundle.zip && fail "media-info/ lists the staging file .bundle.zip"
mv media/.bundle.zip "media/$BUNDLE_470"
lists drivers 470.256.02 || fail "drivers/ does not list 470.256.02 once its bundle is published"
check_val "media-info/$BUNDLE_470/kind" driver-bundle
check_list drivers/470.256.02/bundles "$BUNDLE_470"
rm "media/$BUNDLE_470"
pass "staging file published by rename"

say "staging files left by a crash are deleted at start"
cp "$TMP/small.txt" media/.junk
[ -f "$store/.junk" ] || fail "$store/.junk not written"
kill9_vgpufs
[ -f "$store/.junk" ] || fail "$store/.junk gone before the restart"
start_vgpufs
cd "$MNT"
[ -e "$store/.junk" ] && fail "$store/.junk survived the start after a crash"
check_stored data.bin "$TMP/data.bin"
check_stored staged.txt "$TMP/small.txt"
ls "$TMP/state/uploads" | grep -q upload- && fail "uploads left in $TMP/state/uploads: $(ls "$TMP/state/uploads")"
pass "staging file swept at start"

say "chmod, chown and times are stored; sizes and mtimes in ls -l are real"
install -m 0640 "$TMP/data.bin" media/installed.bin
check_eq "install -m 0640: mode" 640 "$(stat -c %a media/installed.bin)"
check_stored installed.bin "$TMP/data.bin"
touch -d '2020-01-02 03:04:05 UTC' "$TMP/small.txt"
cp -p "$TMP/small.txt" media/kept.txt
check_eq "cp -p: mtime" "$(stat -c %Y "$TMP/small.txt")" "$(stat -c %Y media/kept.txt)"
check_eq "cp -p: mtime in the store" "$(stat -c %Y "$TMP/small.txt")" "$(stat -c %Y "$store/kept.txt")"
touch -d '2019-05-06 07:08:09 UTC' media/data.bin
check_eq "touch -d: mtime" "$(date -d '2019-05-06 07:08:09 UTC' +%s)" "$(stat -c %Y media/data.bin)"
chmod 0600 media/data.bin
check_eq "chmod 0600" 600 "$(stat -c %a media/data.bin)"
chown 1234:2345 media/data.bin
check_eq "chown" 1234:2345 "$(stat -c %u:%g media/data.bin)"
check_eq "chown in the store" 1234:2345 "$(stat -c %u:%g "$store/data.bin")"
check_val media-info/data.bin/sha256 "$(sha "$TMP/data.bin")"
# ls -l: the real size, and the date touch -d set (2019)
ls -l media/data.bin | grep -Eq "^-rw------- 1 1234 2345 100000 May +6 +2019 media/data.bin\$" ||
	fail "ls -l media/data.bin: $(ls -l media/data.bin)"
expect_fail_errno "$EOPNOTSUPP" python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.x", b"1")' media/data.bin
pass "metadata"


say "tokens are stored 0600 whatever mode they come with"
printf 'secret-token-bytes' >"$TMP/site.tok"
chmod 0644 "$TMP/site.tok"
cp "$TMP/site.tok" media/
check_eq "mode of an uploaded .tok" 600 "$(stat -c %a media/site.tok)"
check_val media-info/site.tok/kind token
chmod 0644 media/site.tok
check_eq "mode of a .tok after chmod 0644" 600 "$(stat -c %a media/site.tok)"
install -m 0666 "$TMP/site.tok" media/other.TOK
check_eq "mode of install -m 0666 .TOK" 600 "$(stat -c %a media/other.TOK)"
check_eq "mode in the store" 600 "$(stat -c %a "$store/site.tok")"
rsync --chmod=F0644 "$TMP/site.tok" media/rsynced.tok # via .rsynced.tok.XXXXXX, then a rename
check_eq "mode of an rsync'd .tok (staged under a dot-name at 0644)" 600 \
	"$(stat -c %a "$store/rsynced.tok")"
rm media/rsynced.tok
pass "tokens 0600"

say "names: 1-255 bytes of UTF-8, no control character"
# (mv reports a rename's EINVAL as "a subdirectory of itself": rename(2) itself)
rename() { python3 -c 'import os, sys; os.rename(os.fsencode(sys.argv[1]), os.fsencode(sys.argv[2]))' "$@"; }
n255=$(printf 'n%.0s' $(seq 251)).bin
cp "$TMP/small.txt" "media/$n255"
check_stored "$n255" "$TMP/small.txt"
cp "$TMP/small.txt" "media/héllo wörld 日本.iso.txt"
check_stored "héllo wörld 日本.iso.txt" "$TMP/small.txt"
expect_fail_errno "$EINVAL|File name too long" cp "$TMP/small.txt" "media/x$n255"
for bad in $'new\nline' $'tab\there' $'del\x7f' $'bad\xff\xfeutf8'; do
	expect_fail_errno "$EINVAL" cp "$TMP/small.txt" "media/$bad"
	expect_fail_errno "$EINVAL" rename media/staged.txt "media/$bad"
done
check_grep "^$EVENT_TIME media: refused \(EINVAL\): .*not a media file name" events
check_stored staged.txt "$TMP/small.txt"
[ "$(ls "$store" | wc -l)" = "$(ls media | wc -l)" ] ||
	fail "the store holds other files than media/ lists: $(ls -A "$store")"
rm "media/$n255" "media/héllo wörld 日本.iso.txt"
pass "names"

say "rm and mv of unused files"
cp "$TMP/small.txt" media/gone.txt
rm media/gone.txt
listed gone.txt && fail "media/gone.txt still listed after rm"
lists media-info gone.txt && fail "media-info/gone.txt still there after rm"
[ -e "$store/gone.txt" ] && fail "$store/gone.txt still there after rm"
check_grep "^$EVENT_TIME media/gone.txt removed\$" events
expect_fail_errno "$ENOENT" rm media/gone.txt
mv media/installed.bin media/moved.bin
listed installed.bin && fail "media/installed.bin listed after mv"
lists media-info installed.bin && fail "media-info/installed.bin after mv"
check_stored moved.bin "$TMP/data.bin"
check_eq "mode kept by mv" 640 "$(stat -c %a media/moved.bin)"
check_grep "^$EVENT_TIME media/installed.bin renamed to moved.bin\$" events
cp "$TMP/small.txt" media/old.txt
mv -f media/moved.bin media/old.txt
check_stored old.txt "$TMP/data.bin"
listed moved.bin && fail "media/moved.bin listed after mv over old.txt"
pass "rm and mv"

say "media/ is a file system of its own: rename across is EXDEV, mv fails, nothing changes"
mkdir groups/x
before=$(ls -l media; ls media-info; cat groups/x/description)
expect_fail_errno "Invalid cross-device link" rename media/old.txt groups/x/description
expect_fail_errno "Invalid cross-device link" rename groups/x/description media/description
expect_fail_errno "Invalid cross-device link" rename media/old.txt host/old.txt
expect_fail_errno "." mv media/old.txt host/
expect_fail_errno "." mv media/old.txt groups/x/description
check_eq "media/ and groups/x after the refused moves" "$before" \
	"$(ls -l media; ls media-info; cat groups/x/description)"
check_stored old.txt "$TMP/data.bin"
rmdir groups/x
pass "EXDEV"

say "files a group uses: rm, mv and cp over are EBUSY and name the group"
b535=$(bundle "$BUNDLE_535")
upload_bundle "$BUNDLE_535"
upload_iso guest.iso
mkdir groups/g
put groups/g/driver 535.161.05
put groups/g/driver_iso guest.iso
put groups/g/client_token site.tok
check_list "media-info/$BUNDLE_535/used_by" "groups/g driver"
check_list media-info/guest.iso/used_by "groups/g driver_iso"
check_list media-info/site.tok/used_by "groups/g client_token"
check_list media-info/old.txt/used_by ""
snap() { ls -l media; for f in media-info/*; do cat "$f/size" "$f/sha256" "$f/used_by"; done; }
before=$(snap)
for f in "$BUNDLE_535" guest.iso site.tok; do
	expect_fail_errno "$EBUSY" rm "media/$f"
	check_grep "groups/g" "media-info/$f/error"
	check_grep "^$EVENT_TIME media/$f: refused \(EBUSY\): .*groups/g" events
	expect_fail_errno "$EBUSY" mv "media/$f" media/renamed
	expect_fail_errno "$EBUSY" mv -f media/old.txt "media/$f"
	expect_fail_errno "$EBUSY" cp "$TMP/small.txt" "media/$f"
	expect_fail_errno "$EBUSY" truncate -s 0 "media/$f"
	expect_fail_errno "$EBUSY" python3 -c 'import os, sys; os.open(sys.argv[1], os.O_WRONLY)' "media/$f"
	expect_fail_errno "$EBUSY" python3 -c 'import os, sys; os.open(sys.argv[1], os.O_RDWR)' "media/$f"
done
# the same through a dot-name: cp to a staging file, then mv over the used file
cp "$TMP/small.txt" media/.replacement
expect_fail_errno "$EBUSY" mv -f media/.replacement "media/$BUNDLE_535"
rm media/.replacement
check_eq "media/ after the refused changes" "$before" "$(snap)"
cmp -s "$b535" "media/$BUNDLE_535" || fail "the bundle in use changed"
check_grep "groups/g" "media-info/$BUNDLE_535/error"
pass "EBUSY"

say "a file open for writing cannot be put to use until it is closed"
upload_iso open.iso
exec {w}>>media/open.iso
put_refused "$EBUSY" groups/g/driver_iso open.iso
exec {w}>&-
check_grep "open for writing" groups/g/error
put groups/g/driver_iso open.iso
put groups/g/driver_iso guest.iso
pass "EBUSY while open for writing"

say "the same files can go once the group lets go of them"
put groups/g/driver ""
put groups/g/driver_iso ""
put groups/g/client_token ""
check_list "media-info/$BUNDLE_535/used_by" ""
rm media/guest.iso
mv "media/$BUNDLE_535" media/renamed.zip
check_val media-info/renamed.zip/kind driver-bundle
check_list drivers/535.161.05/bundles renamed.zip
rm media/renamed.zip
lists drivers 535.161.05 && fail "drivers/535.161.05 still listed without its bundle"
pass "released"

say "a restart keeps files, sizes, digests and metadata"
cp "$b535" media/
ls -l --time-style=+%s media >"$TMP/ls-before"
for f in media-info/*; do echo "${f#*/} $(info "${f#*/}" size) $(info "${f#*/}" sha256) $(info "${f#*/}" kind)"; done >"$TMP/info-before"
restart_vgpufs
ls -l --time-style=+%s media >"$TMP/ls-after"
for f in media-info/*; do echo "${f#*/} $(info "${f#*/}" size) $(info "${f#*/}" sha256) $(info "${f#*/}" kind)"; done >"$TMP/info-after"
check_file_eq "ls -l media across a restart" "$TMP/ls-before" "$TMP/ls-after"
check_file_eq "media-info across a restart" "$TMP/info-before" "$TMP/info-after"
check_stored data.bin "$TMP/data.bin"
check_stored old.txt "$TMP/data.bin"
check_stored "$BUNDLE_535" "$b535"
check_val drivers/535.161.05/bundles "$BUNDLE_535"
pass "restart"

say "dd, and writes in place (no O_TRUNC): the description follows the bytes"
head -c 300000 /dev/urandom >"$TMP/dd.bin"
dd if="$TMP/dd.bin" of=media/dd.bin bs=64k status=none
check_stored dd.bin "$TMP/dd.bin"
printf 'PATCH' | dd of=media/dd.bin bs=1 seek=1000 conv=notrunc status=none
printf 'PATCH' | dd of="$TMP/dd.bin" bs=1 seek=1000 conv=notrunc status=none
check_stored dd.bin "$TMP/dd.bin"
# (coreutils truncate opens O_WRONLY and checks close)
truncate -s 1234 media/dd.bin 2>"$TMP/truncate.err" || fail "truncate -s 1234 media/dd.bin: $(cat "$TMP/truncate.err")"
truncate -s 1234 "$TMP/dd.bin"
check_stored dd.bin "$TMP/dd.bin"
# opened write-only without O_TRUNC (echo >>): close succeeds, the description follows
python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)
os.write(fd, b"tail")
os.close(fd)' media/dd.bin 2>"$TMP/append.err" || fail "append to media/dd.bin: $(tail -n 1 "$TMP/append.err")"
printf 'tail' >>"$TMP/dd.bin"
check_stored dd.bin "$TMP/dd.bin"
printf 'more' >>media/dd.bin
printf 'more' >>"$TMP/dd.bin"
check_stored dd.bin "$TMP/dd.bin"
rm media/dd.bin
pass "in-place writes"

stop_vgpufs
