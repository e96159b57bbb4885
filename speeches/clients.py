"""Who is asking: the client's address, and the key request limits count a client under.

Behind a reverse proxy every request arrives from the proxy's address, and the client's is
in X-Forwarded-For, a header any client can also write. settings.TRUSTED_PROXIES lists the
proxies' addresses or networks: only a request that comes from one of them has the header
read, from the right (each proxy appends the address it was sent from), skipping trusted
proxies; the first other address is the client's. Without trusted proxies, REMOTE_ADDR is."""

import functools
import ipaddress

from django.conf import settings

# An IPv6 subscriber gets a /64 at least and may change addresses inside it at will.
IPV6_CLIENT_PREFIX = 64


@functools.lru_cache(maxsize=8)
def _networks(entries):
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _parse(address):
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    mapped = getattr(parsed, "ipv4_mapped", None)  # ::ffff:1.2.3.4 is 1.2.3.4
    return mapped or parsed


def _trusted(address, networks):
    return address is not None and any(address in network for network in networks)


def client_address(request):
    """The client's IP address as an ipaddress object, or None when there is none."""
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not _trusted(remote, networks):
        return remote
    forwarded = [_parse(part) for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if address is None:  # garbage the proxy passed on: nothing to the left of it is sure
            return remote
        if not _trusted(address, networks):
            return address
    return remote


def client_key(request):
    """What limits count a client under: its IPv4 address, or its IPv6 /64 network."""
    address = client_address(request)
    if address is None:
        return "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(address)
