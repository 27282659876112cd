#!/usr/bin/env python3
"""make-bundles.py — writes synthetic NVIDIA vGPU driver bundles (zips) for the tests and
the README demo: NVIDIA's real member names and layouts (HOST-FACTS.md, "Driver bundles"),
never real binaries. Each member holds one line,

    vgpufs synthetic test file, not NVIDIA software: <member path>\\n

so tests can compare bytes; a padded host driver (--size-mib) has that line, then the
padding. Besides well-formed bundles of several releases there are broken ones, one per
way core/media/bundle.c rejects a zip. Output is the same on every run (fixed times,
seeded padding).

    tools/make-bundles.py DIR                 every bundle
    tools/make-bundles.py --only NAME DIR     one of them
    tools/make-bundles.py --size-mib N DIR    host drivers padded with N MiB of
                                              incompressible bytes (stored, not deflated)
    tools/make-bundles.py --list              the names

Prints the paths it writes, one per line. Python 3 standard library only.
"""

import argparse
import io
import os
import random
import struct
import sys
import zipfile
import zlib

MIB = 1 << 20
DATE = (2024, 1, 1, 0, 0, 0)
BOMB_SIZE = 1 << 30  # zeros: about 1 MiB deflated
DOCS = ("grid-vgpu-release-notes-generic-linux-kvm", "grid-vgpu-user-guide",
        "grid-licensing-user-guide", "grid-software-quick-start-guide",
        "grid-gpus-supported-by-vgpu", "whats-new-vgpu")


def content(member):
    return f"vgpufs synthetic test file, not NVIDIA software: {member}\n".encode()


def pdfs(prefix):
    """The six documents at the root, named after the versions as NVIDIA does."""
    return [f"{prefix}-{doc}.pdf" for doc in DOCS]


def guest_linux(version, folder="Guest_Drivers/"):
    branch = version.split(".")[0]
    return [f"{folder}NVIDIA-Linux-x86_64-{version}-grid.run",
            f"{folder}nvidia-linux-grid-{branch}_{version}_amd64.deb",
            f"{folder}nvidia-linux-grid-{branch}-{version}-1.x86_64.rpm"]


def windows(version, servers="server2022", folder="Guest_Drivers/"):
    return f"{folder}{version}_grid_win10_win11_{servers}_dch_64bit_international.exe"


KEYS = ["Signing_Keys/vgpu_debian_publickey.pub", "Signing_Keys/vgpu_rpm_publickey.pub"]


def generic_16():
    return (pdfs("535.161.05-535.161.08-538.46")
            + ["Host_Drivers/NVIDIA-Linux-x86_64-535.161.05-vgpu-kvm.run"]
            + guest_linux("535.161.08")
            + [windows("538.46", "server2019_server2022"),
               "Signing_Keys/vgpu_debian_publickey.pub"])


def flat_13():
    return (pdfs("470.256.02-475.14")
            + ["NVIDIA-Linux-x86_64-470.256.02-vgpu-kvm.run",
               "NVIDIA-Linux-x86_64-470.256.02-grid.run",
               "475.14_grid_win10_server2016_server2019_64bit_international.exe"])


def aie_17():
    return (pdfs("550.54.16-550.54.15-551.78")
            + ["Host_Drivers/NVIDIA-Linux-x86_64-550.54.16-vgpu-kvm-aie.run"]
            + guest_linux("550.54.15") + [windows("551.78")] + KEYS)


def release_18_3(host):
    return (pdfs("570.158.02-570.158.01-573.39") + [host]
            + guest_linux("570.158.01") + [windows("573.39")] + KEYS)


# Bundles zipfile writes from a list of members, in zip order (the last two refused for
# one unsafe name each).
FROM_MEMBERS = {
    "NVIDIA-GRID-Linux-KVM-535.161.05-535.161.08-538.46.zip": generic_16(),
    "NVIDIA-GRID-Linux-KVM-470.256.02-475.14.zip": flat_13(),
    "NVIDIA-GRID-Linux-KVM-550.54.16-550.54.15-551.78.zip": aie_17(),
    "NVIDIA-GRID-Ubuntu-KVM-570.158.02-570.158.01-573.39.zip":
        release_18_3("Host_Drivers/nvidia-vgpu-ubuntu-570_570.158.02_amd64.deb"),
    "NVIDIA-GRID-RHEL-9.6-570.158.02-570.158.01-573.39.zip":
        release_18_3("Host_Drivers/NVIDIA-vGPU-rhel-9.6-570.158.02.x86_64.rpm"),
    "no-guest-drivers.zip": ["Host_Drivers/NVIDIA-Linux-x86_64-535.161.05-vgpu-kvm.run"],
    "no-host-driver.zip": (pdfs("535.161.05-535.161.08-538.46") + guest_linux("535.161.08")
                           + [windows("538.46", "server2019_server2022")]),
    "unsafe-dotdot.zip": generic_16() + ["../NVIDIA-Linux-x86_64-535.161.08-grid.run"],
    "unsafe-absolute.zip": generic_16() + ["/tmp/NVIDIA-Linux-x86_64-535.161.08-grid.run"],
}
# Bundles broken on purpose, written otherwise.
BROKEN = ["corrupt-central-directory.zip", "not-a-zip.zip", "truncated.zip", "zip-bomb.zip"]
NAMES = list(FROM_MEMBERS) + BROKEN


def is_host(member):
    base = member.rsplit("/", 1)[-1]
    return (base.startswith(("NVIDIA-Linux-x86_64-", "nvidia-vgpu-ubuntu-",
                             "NVIDIA-vGPU-rhel-"))
            and not base.endswith("-grid.run"))


def info(member, compress=zipfile.ZIP_DEFLATED):
    zi = zipfile.ZipInfo(member, DATE)
    zi.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
    zi.compress_type = compress
    return zi


def write_padded(zf, member, size_mib):
    """The member's line, then size_mib MiB of seeded random bytes, streamed."""
    rng = random.Random(member)
    zi = info(member, zipfile.ZIP_STORED)
    with zf.open(zi, "w", force_zip64=size_mib * MIB >= 1 << 31) as out:
        out.write(content(member))
        for _ in range(size_mib):
            out.write(rng.randbytes(MIB))


def write_zip(fileobj, members, size_mib=0):
    with zipfile.ZipFile(fileobj, "w") as zf:
        for member in members:
            if size_mib and is_host(member):
                write_padded(zf, member, size_mib)
            else:
                zf.writestr(info(member), content(member))


def zip_bytes(members):
    buf = io.BytesIO()
    write_zip(buf, members)
    return buf.getvalue()


def corrupt_central_directory():
    """The 16.x bundle with the last central directory entry's signature flipped."""
    data = bytearray(zip_bytes(generic_16()))
    last = data.rindex(b"PK\x01\x02")
    for i in range(last, last + 4):
        data[i] ^= 0xff
    return bytes(data)


def not_a_zip():
    data = random.Random("not-a-zip").randbytes(4096)
    assert b"PK" not in data[:2] and b"PK\x05\x06" not in data
    return data


def truncated():
    data = zip_bytes(generic_16())
    return data[:len(data) // 2]


def deflate_zeros(size):
    """A raw deflate stream of size zero bytes (a multiple of 1 MiB), without deflating
    them all: one MiB deflated with a full flush (which makes it stand alone), repeated,
    then an empty final block."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(bytes(MIB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return [piece] * (size // MIB) + [zlib.compressobj(9, zlib.DEFLATED, -15).flush()]


def write_bomb(path):
    """The 16.x bundle with its host driver 1 GiB of zeros, deflated to about 1 MiB.
    zipfile cannot take data already deflated, so this zip is written by hand."""
    dos_date = (DATE[0] - 1980) << 9 | DATE[1] << 5 | DATE[2]
    central = []
    with open(path, "wb") as f:
        for member in generic_16():
            if is_host(member):
                size, chunks = BOMB_SIZE, deflate_zeros(BOMB_SIZE)
                crc = 0
                zeros = bytes(MIB)
                for _ in range(size // MIB):
                    crc = zlib.crc32(zeros, crc)
            else:
                data = content(member)
                compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
                size, crc = len(data), zlib.crc32(data)
                chunks = [compressor.compress(data) + compressor.flush()]
            name = member.encode()
            fields = struct.pack("<HHHHHIIIHH", 20, 0, 8, 0, dos_date, crc,
                                 sum(map(len, chunks)), size, len(name), 0)
            central.append((fields, name, f.tell()))
            f.write(b"PK\x03\x04" + fields + name)
            for chunk in chunks:
                f.write(chunk)
        start = f.tell()
        for fields, name, offset in central:
            f.write(b"PK\x01\x02" + struct.pack("<H", 3 << 8 | 20) + fields
                    + struct.pack("<HHHII", 0, 0, 0, 0o100644 << 16, offset) + name)
        f.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(central), len(central),
                                             f.tell() - start, start, 0))


def write_one(name, directory, size_mib):
    path = os.path.join(directory, name)
    tmp = path + ".part"
    if name in FROM_MEMBERS:
        with open(tmp, "wb") as f:
            write_zip(f, FROM_MEMBERS[name], size_mib)
    elif name == "zip-bomb.zip":
        write_bomb(tmp)
    else:
        data = {"corrupt-central-directory.zip": corrupt_central_directory,
                "not-a-zip.zip": not_a_zip, "truncated.zip": truncated}[name]()
        with open(tmp, "wb") as f:
            f.write(data)
    os.replace(tmp, path)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", nargs="?", help="where to write the bundles")
    parser.add_argument("--only", metavar="NAME", choices=NAMES, help="write this one only")
    parser.add_argument("--size-mib", metavar="N", type=int, default=0,
                        help="pad each host driver with N MiB of incompressible bytes, "
                        "stored (for benchmarks; default: none)")
    parser.add_argument("--list", action="store_true", help="print the names and exit")
    args = parser.parse_args()

    if args.list:
        print("\n".join(NAMES))
        return 0
    if not args.directory:
        parser.error("a directory is needed")
    if args.size_mib < 0:
        parser.error("--size-mib must be 0 or more")
    os.makedirs(args.directory, exist_ok=True)
    for name in [args.only] if args.only else NAMES:
        print(write_one(name, args.directory, args.size_mib), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
