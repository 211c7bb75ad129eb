"""Where alerts go: webhook URLs and email addresses, validated, and the SSRF guard.

A target host is resolved and every address must be global (not private, loopback, link-local,
CGNAT, multicast or a cloud metadata address) unless ``alerts.allow_private_targets``. The
dispatcher connects to the address it checked (no second lookup a rebinding DNS could answer
differently) and checks the connected peer again.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit

from tapewire.errors import ConfigError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")
METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


class TargetError(ConfigError):
    """A bad or refused target (URL, email address or host)."""


def check_webhook_url(url: str) -> str:
    """The URL if it is an absolute http(s) URL without credentials."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetError(f"webhook target {url!r} is not an absolute http:// or https:// URL")
    if "@" in parts.netloc:
        raise TargetError("webhook target must not carry credentials in the URL")
    if any(c.isspace() for c in url.strip()):
        raise TargetError("webhook target contains whitespace")
    try:
        _ = parts.port
    except ValueError:
        raise TargetError(f"webhook target {url!r} has a bad port") from None
    return url.strip()


def check_email(address: str) -> str:
    text = address.strip()
    if len(text) > 254 or not _EMAIL.match(text) or "." not in text.rsplit("@", 1)[-1]:
        raise TargetError(f"{address!r} is not an email address")
    return text


def is_public(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return is_public(ip.ipv4_mapped)
    return ip.is_global and ip not in METADATA and not ip.is_multicast


def resolve_target(host: str, port: int, *, allow_private: bool) -> list[IPAddress]:
    """The host's addresses, all checked.

    Raises:
        TargetError: it does not resolve, or an address is not public (and private targets are
            not allowed).
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetError(f"cannot resolve {host}: {exc}") from None
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
    if not allow_private:
        for ip in addresses:
            if not is_public(ip):
                raise TargetError(
                    f"refused {host}: {ip} is a private, loopback, link-local or metadata "
                    "address (set alerts.allow_private_targets to allow it)"
                )
    return addresses


def webhook_address(url: str, *, allow_private: bool) -> tuple[str, int, IPAddress]:
    """(host, port, the checked address to connect to) of a webhook URL."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return host, port, resolve_target(host, port, allow_private=allow_private)[0]
