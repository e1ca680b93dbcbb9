"""Make a self-signed certificate to serve the app over HTTPS on a classroom network.

Browsers give a page the camera only over HTTPS or on localhost, so students who open the
teacher's laptop by its address need HTTPS. This writes ``cert.pem`` and ``key.pem`` for this
machine's host name and LAN addresses (plus localhost), with the ``openssl`` command:

    python scripts/make_cert.py                      # writes certs/cert.pem and certs/key.pem
    streamlit run app.py --server.sslCertFile certs/cert.pem --server.sslKeyFile certs/key.pem

Students then open https://<the address printed>:8501 and accept the certificate warning once.
Add names or addresses the machine is reached by with --name and --ip (e.g. after the Wi-Fi
changes, run it again: the addresses are read now).
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "certs"
# Apple's platforms refuse TLS server certificates valid for more than 825 days; stay well below.
DEFAULT_DAYS = 397
# Addresses a UDP socket is "connected" to (nothing is sent) to learn the outgoing interface.
_PROBES = ("10.255.255.255", "192.168.255.255", "172.31.255.255", "192.0.2.255")


def lan_addresses() -> list[str]:
    """This machine's non-loopback IP addresses: outgoing interfaces, host name, `ip addr`."""
    found = _probed_addresses() + _host_name_addresses() + _ip_command_addresses()
    usable = []
    for text in found:
        address = ipaddress.ip_address(text.split("%")[0])
        if not (address.is_loopback or address.is_link_local or address.is_unspecified):
            usable.append(str(address))
    return list(dict.fromkeys(usable))


def _probed_addresses() -> list[str]:
    """The local address a datagram to each private range would leave from (none is sent)."""
    addresses = []
    for probe in _PROBES:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            try:
                sock.connect((probe, 9))
                addresses.append(sock.getsockname()[0])
            except OSError:
                continue
    return addresses


def _host_name_addresses() -> list[str]:
    """The addresses the host name resolves to."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None)
    except OSError:
        return []
    return [str(info[4][0]) for info in infos]


def _ip_command_addresses() -> list[str]:
    """Global addresses from `ip -o addr` (Linux), if that command exists."""
    if shutil.which("ip") is None:
        return []
    listing = subprocess.run(
        ["ip", "-o", "addr", "show", "scope", "global"], capture_output=True, text=True
    ).stdout
    return [line.split()[3].split("/")[0] for line in listing.splitlines() if len(line.split()) > 3]


def subject_alt_names(host: str, addresses: Sequence[str], names: Sequence[str]) -> list[str]:
    """The certificate's names: localhost, the host name (and .local), extra names, every IP."""
    dns = ["localhost", host, f"{host}.local", *names]
    ips = ["127.0.0.1", "::1", *addresses]
    return [f"DNS:{n}" for n in dict.fromkeys(dns) if n] + [f"IP:{a}" for a in dict.fromkeys(ips)]


def openssl_command(cert: Path, key: Path, days: int, host: str, sans: Sequence[str]) -> list[str]:
    """`openssl req` making a 2048-bit RSA key and a self-signed server certificate with SANs."""
    return [
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-sha256", "-nodes",
        "-days", str(days), "-keyout", str(key), "-out", str(cert),
        "-subj", f"/CN={host}/O=Grad-CAM Explorer (self-signed)",
        "-addext", "subjectAltName=" + ",".join(sans),
        "-addext", "basicConstraints=critical,CA:FALSE",
        "-addext", "keyUsage=critical,digitalSignature,keyEncipherment",
        "-addext", "extendedKeyUsage=serverAuth",
    ]  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Write cert.pem and key.pem; print how to serve the app and the addresses to open."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the two files")
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="validity in days")
    parser.add_argument("--name", action="append", default=[], help="another DNS name")
    parser.add_argument("--ip", action="append", default=[], help="another IP address")
    args = parser.parse_args(argv)
    if shutil.which("openssl") is None:
        print("error: the openssl command is missing (apt-get install openssl)", file=sys.stderr)
        return 2
    host = socket.gethostname()
    addresses = lan_addresses() + [str(ipaddress.ip_address(a)) for a in args.ip]
    sans = subject_alt_names(host, addresses, args.name)
    args.out.mkdir(parents=True, exist_ok=True)
    cert, key = args.out / "cert.pem", args.out / "key.pem"
    made = subprocess.run(
        openssl_command(cert, key, args.days, host, sans), capture_output=True, text=True
    )
    if made.returncode != 0:
        print("error: openssl failed: " + " ".join(made.stderr.split()), file=sys.stderr)
        return 2
    os.chmod(key, 0o600)
    print(f"wrote {cert} and {key} ({args.days} days) for " + ", ".join(sans))
    print(f"serve: streamlit run app.py --server.sslCertFile {cert} --server.sslKeyFile {key}")
    for address in addresses or ["127.0.0.1"]:
        shown = f"[{address}]" if ":" in address else address
        print(f"open:  https://{shown}:8501")
    return 0


if __name__ == "__main__":
    sys.exit(main())
