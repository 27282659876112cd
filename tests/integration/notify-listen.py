#!/usr/bin/python3
"""notify-listen.py SOCKET LOG SIM: plays systemd's side of sd_notify for t500.

Binds the datagram socket NOTIFY_SOCKET names and appends each message to LOG, one
"MSG <pid> <line>" per line. On READY=1 it stops the sender (SIGSTOP, pid from
SCM_CREDENTIALS) before anything else, writes "VGPUS <n>" and one "VGPU <id>" line per
vGPU the simulated host under SIM holds at that moment, then lets the sender go on: what
it made after sending READY=1 cannot be counted."""
import os
import signal
import socket
import struct
import sys


def vgpus(sim):
    found = []
    mdevs = os.path.join(sim, "bus/mdev/devices")
    if os.path.isdir(mdevs):
        found += sorted("mdev " + u for u in os.listdir(mdevs))
    pci = os.path.join(sim, "bus/pci/devices")
    for bdf in sorted(os.listdir(pci)):
        path = os.path.join(pci, bdf, "nvidia/current_vgpu_type")
        try:
            with open(path) as f:
                if f.read().strip() not in ("", "0"):
                    found.append("vf " + bdf)
        except OSError:
            pass
    return found


def main():
    path, log_path, sim = sys.argv[1:4]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    sock.bind(path)
    creds = struct.calcsize("3i")
    with open(log_path, "a", buffering=1) as log:
        while True:
            data, ancillary, _, _ = sock.recvmsg(4096, socket.CMSG_SPACE(creds))
            pid = 0
            for level, kind, value in ancillary:
                if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                    pid = struct.unpack("3i", value[:creds])[0]
            lines = data.decode(errors="replace").split("\n")
            if "READY=1" in lines and pid:
                os.kill(pid, signal.SIGSTOP)
                try:
                    held = vgpus(sim)
                finally:
                    os.kill(pid, signal.SIGCONT)
                log.write("VGPUS %d\n" % len(held))
                for v in held:
                    log.write("VGPU %s\n" % v)
            for line in lines:
                if line:
                    log.write("MSG %d %s\n" % (pid, line))


if __name__ == "__main__":
    main()
