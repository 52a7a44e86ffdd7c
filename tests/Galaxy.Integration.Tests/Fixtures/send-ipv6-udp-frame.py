#!/usr/bin/env python3
"""Sends one hand-made Ethernet frame carrying IPv6/UDP on an interface, with any addresses (also ones a
socket would never send, such as an IPv4-mapped destination).

usage: send-ipv6-udp-frame.py IFACE DST_MAC SRC_IP6 DST_IP6 DST_PORT PAYLOAD
"""
import ipaddress
import socket
import struct
import sys


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total & 0xFFFF) or 0xFFFF


def main() -> None:
    iface, dst_mac, src, dst, port, payload = sys.argv[1:7]
    src6 = ipaddress.IPv6Address(src).packed
    dst6 = ipaddress.IPv6Address(dst).packed
    data = payload.encode()
    length = 8 + len(data)
    udp = struct.pack("!HHHH", 40000, int(port), length, 0) + data
    pseudo = src6 + dst6 + struct.pack("!I3xB", length, 17)
    udp = udp[:6] + struct.pack("!H", checksum(pseudo + udp)) + udp[8:]
    ip = struct.pack("!IHBB", 6 << 28, length, 17, 64) + src6 + dst6
    with open(f"/sys/class/net/{iface}/address", encoding="ascii") as f:
        src_mac = f.read().strip()
    frame = bytes.fromhex(dst_mac.replace(":", "")) + bytes.fromhex(src_mac.replace(":", "")) + b"\x86\xdd" + ip + udp
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as s:
        s.bind((iface, 0))
        s.send(frame)


if __name__ == "__main__":
    main()
