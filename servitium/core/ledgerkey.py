"""The change log's key, kept outside the database.

It does two things: it signs the chain heads the sealer reaches (core/anchors.py), and it marks every entry
the application writes with a MAC, so that a row put into the table by other means (SQL, a restored dump
of someone else's) is told apart from the application's own and kept out of the chain. Someone with
access to the database alone can therefore neither sign a head nor write an entry the sealer would take.

The key is an Ed25519 private key: `SERVITIUM_ANCHOR_KEY` (PEM, or the 32 raw bytes in base64), else a
file (`SERVITIUM_ANCHOR_KEY_FILE`, default `DATA_DIR/anchor.key`) created on first use with mode 0600, as
the generated secret key is. The MAC key is derived from it under a fixed label: one secret to keep.

An entry's MAC is `<16 hex nonce><32 hex tag>`, the tag the first 128 bits of HMAC-SHA256 over the nonce
and the entry's content (the fields of `ChangeRecord.content()`: everything but its id and chain position,
which are not known when it is written). The nonce makes every genuine entry's MAC unique, so a copied row
shows.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
import hmac
import json
import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

logger = logging.getLogger(__name__)

MAC_LABEL = b"servitium change-log entry MAC/1"
NONCE_HEX = 16
TAG_HEX = 32
# RFC 8410: the PKCS#8 form of an Ed25519 private key is this prefix and the 32-byte seed. Reading it here
# spares every writing process (web workers, the mail pipe) the import of `cryptography`: writers need
# only the MAC key; signing and checking signatures (sealer, verification) load the library.
PKCS8_PREFIX = bytes.fromhex("302e020100300506032b657004220420")


class AnchorKey:
    def __init__(self, seed: bytes) -> None:
        self.seed = seed
        # HMAC-SHA256 keyed with the MAC key (derived from the seed), copied for each entry
        self.prepared = hmac.new(hmac.digest(seed, MAC_LABEL, "sha256"), digestmod=hashlib.sha256)

    @functools.cached_property
    def private(self) -> Ed25519PrivateKey:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @functools.cached_property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @functools.cached_property
    def key_id(self) -> str:
        """First 16 hex digits of SHA-256 over the raw public key."""
        return key_id_of(self.public)


def key_id_of(public: Ed25519PublicKey) -> str:
    from cryptography.hazmat.primitives import serialization

    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _seed_from_text(text: str, source: str) -> bytes:
    """The 32-byte seed of an Ed25519 private key given as PEM (PKCS#8) or in base64."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            body = "".join(line for line in text.splitlines() if not line.startswith("-----"))
            der = base64.b64decode(body, validate=True)
            if len(der) == len(PKCS8_PREFIX) + 32 and der.startswith(PKCS8_PREFIX):
                return der[len(PKCS8_PREFIX) :]
            return _seed_by_library(text, source)  # another PKCS#8 form (with the public key, say)
        standard = text.replace("-", "+").replace("_", "/")  # URL-safe base64 too
        seed = base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except (ValueError, binascii.Error) as exc:
        raise ImproperlyConfigured(
            f"{source} is not an Ed25519 private key (PEM, or 32 bytes in base64): {type(exc).__name__}"
        ) from None
    if len(seed) != 32:
        raise ImproperlyConfigured(f"{source} is not an Ed25519 private key (PEM, or 32 bytes in base64)")
    return seed


def _seed_by_library(text: str, source: str) -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_pem_private_key(text.encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"{source} is not a readable private key: {type(exc).__name__}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"{source} holds a key of another kind; the change log needs Ed25519")
    return key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def pem_of_seed(seed: bytes) -> str:
    body = base64.b64encode(PKCS8_PREFIX + seed).decode()
    return f"-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n"


def _seed_from_file(path: Path) -> bytes:
    if not path.exists():
        # O_EXCL: two processes starting at once must not write two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(pem_of_seed(os.urandom(32)))  # any 32 random bytes are an Ed25519 key
                handle.flush()
                os.fsync(handle.fileno())
            logger.warning("created the change-log anchor key %s; keep a copy apart from the backups", path)
    if path.stat().st_mode & 0o077:
        logger.warning("the change-log anchor key %s is readable by others than its owner (chmod 600)", path)
    return _seed_from_text(path.read_text(), str(path))


_lock = threading.Lock()
_cache: dict[tuple[str, str], AnchorKey] = {}


def current() -> AnchorKey:
    """The configured key, created in the data dir on first use. Raises ImproperlyConfigured when the
    configured key cannot be read: entries written without a valid MAC would be refused by the sealer,
    so writing must stop instead."""
    key = _load(create=True)
    if key is None:  # pragma: no cover - create=True always gives one
        raise ImproperlyConfigured("no change-log anchor key")
    return key


def existing() -> AnchorKey | None:
    """The configured key, or None when there is none yet (verification must not create one)."""
    return _load(create=False)


def _load(*, create: bool) -> AnchorKey | None:
    configured, path = settings.ANCHOR_KEY, str(settings.ANCHOR_KEY_FILE)
    found = _cache.get((configured, path))
    if found is not None:
        return found
    if not configured and not create and not Path(path).exists():
        return None
    with _lock:
        if configured:
            seed = _seed_from_text(configured, "SERVITIUM_ANCHOR_KEY")
        else:
            seed = _seed_from_file(Path(path))
        key = _cache[(configured, path)] = AnchorKey(seed)
        return key


def public_pem(public: Ed25519PublicKey) -> str:
    from cryptography.hazmat.primitives import serialization

    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def load_public_key(text: str) -> Ed25519PublicKey:
    """A public key given to `verify-changelog --public-key`: PEM, or the 32 raw bytes in base64."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode())
        else:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except (ValueError, TypeError, binascii.Error):
        raise ValueError("not an Ed25519 public key (PEM, or 32 bytes in base64)") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


# One encoder, made once: the MAC is taken on every write of the system.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _message(nonce: str, entry: Any) -> bytes:
    """What the MAC covers: the nonce and every field `ChangeRecord.content()` names, in a fixed order
    (a list is cheaper to encode than the content's dict, and as unambiguous)."""
    ts = entry.timestamp
    if ts.tzinfo is not None:
        ts = ts.astimezone(dt.UTC)
    fields = [
        "servitium-entry/1",
        nonce,
        ts.isoformat(),
        entry.actor_id,
        entry.actor_name,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.object_repr,
        entry.changes,
        entry.message,
        entry.context,
        entry.request_id,
    ]
    return _ENCODER.encode(fields).encode()


def _tag(prepared: Any, nonce: str, entry: Any) -> str:
    mac = prepared.copy()  # the key already absorbed: cheaper than a new HMAC per entry
    mac.update(_message(nonce, entry))
    return mac.hexdigest()[:TAG_HEX]


def mac_of(entry: Any, key: AnchorKey, nonce: str | None = None) -> str:
    """The MAC for a change-log entry (a ChangeRecord, or a row with its fields), with a fresh nonce
    unless given."""
    nonce = nonce or os.urandom(NONCE_HEX // 2).hex()
    return nonce + _tag(key.prepared, nonce, entry)


def mark(entries: list[Any], key: AnchorKey | None = None) -> None:
    """Give each new entry (not yet stored) its MAC. A naive time is made aware first, as the database
    layer would make it when storing, so that the entry read back has the content that was marked."""
    prepared = (key or current()).prepared
    nonces = os.urandom(NONCE_HEX // 2 * len(entries)).hex()
    for number, entry in enumerate(entries):
        if entry.timestamp.tzinfo is None:
            entry.timestamp = timezone.make_aware(entry.timestamp)
        nonce = nonces[number * NONCE_HEX : (number + 1) * NONCE_HEX]
        entry.mac = nonce + _tag(prepared, nonce, entry)


def mac_valid(entry: Any, key: AnchorKey | None = None) -> bool:
    """Was this stored entry written by the application holding the key (and is its content unchanged)?"""
    mac = entry.mac or ""
    if len(mac) != NONCE_HEX + TAG_HEX:
        return False
    nonce, tag = mac[:NONCE_HEX], mac[NONCE_HEX:]
    return hmac.compare_digest(tag, _tag((key or current()).prepared, nonce, entry))
