"""The server's account cryptography: itsdangerous-style signed tokens, RSA password transport, scrypt hashes."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import secrets
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockserver.core.errors import PythonError
from mockserver.core.python_failures import from_exception
from mockserver.families.accounts.pem import decrypt_pem
from mockserver.settings import RAGFLOW_KEY_PAIR

_DEFAULT_SALT = b"itsdangerous"
_SCRYPT = (32768, 8, 1)
_SALT_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
CIPHERTEXT_BYTES = 256


def b64url_encode(raw: bytes) -> str:
    """URL-safe base64 without padding (itsdangerous' encoding)."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Inverse of `b64url_encode`; raises `binascii.Error`/`ValueError` for garbage."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TimedSerializer:
    """`URLSafeTimedSerializer(secret_key)` of itsdangerous 2.1: compact JSON, HMAC-SHA1, django-concat key."""

    def __init__(self, secret_key: str, salt: str | None = None) -> None:
        salt_bytes = _DEFAULT_SALT if salt is None else salt.encode()
        self._key = hashlib.sha1(salt_bytes + b"signer" + secret_key.encode()).digest()

    def _signature(self, value: bytes) -> str:
        return b64url_encode(hmac.new(self._key, value, hashlib.sha1).digest())

    def dumps(self, obj: Any, timestamp: int) -> str:
        """Sign `obj` as `<payload>.<timestamp>.<signature>`."""
        payload = json.dumps(obj, separators=(",", ":")).encode()
        compressed = zlib.compress(payload)
        body = "." + b64url_encode(compressed) if len(compressed) < len(payload) - 1 else b64url_encode(payload)
        stamp = b64url_encode(timestamp.to_bytes((timestamp.bit_length() + 7) // 8 or 1, "big"))
        value = f"{body}.{stamp}".encode()
        return f"{value.decode()}.{self._signature(value)}"

    def loads(self, token: str) -> Any:
        """The signed object, or None for a bad signature or shape (the age is never checked)."""
        value, sep, signature = token.rpartition(".")
        if not sep or not hmac.compare_digest(self._signature(value.encode()), signature):
            return None
        body, sep, _stamp = value.rpartition(".")
        if not sep or not body:
            return None
        try:
            raw = zlib.decompress(b64url_decode(body[1:])) if body.startswith(".") else b64url_decode(body)
            return json.loads(raw)
        except (ValueError, zlib.error):
            return None


def api_token_text(tenant_id: str, nonce_hex: str, timestamp: int) -> str:
    """`ragflow-` + characters 2..33 of the tenant-keyed signature of a fresh UUID1 (the server's recipe)."""
    signed = TimedSerializer(tenant_id, salt=tenant_id).dumps(nonce_hex, timestamp)
    return "ragflow-" + signed[2:34]


# -- password transport ----------------------------------------------------------------------------
class TransportError(PythonError):
    """Decryption of the transported password failed: the Python exception the server hits (code 100)."""

    @classmethod
    def of(cls, error: PythonError) -> TransportError:
        """The same Python exception, as a transport failure (login reports it as "Fail to crypt password")."""
        return cls(error.exc_type, error.text, rendered=error.message)


@dataclass(frozen=True)
class RsaPrivateKey:
    """The modulus and private exponent needed for PKCS#1 v1.5 decryption."""

    n: int
    d: int

    def decrypt(self, ciphertext: bytes) -> bytes:
        """PKCS#1 v1.5 decryption; a bad padding gives `b""` (the server's sentinel outcome)."""
        number = int.from_bytes(ciphertext, "big")
        if number >= self.n:
            raise TransportError("ValueError", "Ciphertext too large")
        size = (self.n.bit_length() + 7) // 8
        block = pow(number, self.d, self.n).to_bytes(size, "big")
        if block[:2] != b"\x00\x02":
            return b""
        end = block.find(b"\x00", 2)
        if end < 10:
            return b""
        return block[end + 1 :]


def _der_read(data: bytes, pos: int) -> tuple[int, bytes, int]:
    """One DER element at `pos`: (tag, contents, next position)."""
    tag = data[pos]
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    return tag, data[pos : pos + length], pos + length


def _der_sequence(data: bytes) -> list[tuple[int, bytes]]:
    items: list[tuple[int, bytes]] = []
    pos = 0
    while pos < len(data):
        tag, content, pos = _der_read(data, pos)
        items.append((tag, content))
    return items


SHIPPED_PRIVATE_KEY = Path(__file__).resolve().parent / "keys" / "ragflow_private.pem"
"""RAGFlow's published `conf/private.pem` (encrypted with the passphrase `Welcome`); `keys/ragflow_public.pem` is
the public half, the key the web UI has built in."""


def load_private_key(pem: str, passphrase: str = "Welcome") -> RsaPrivateKey:
    """Parse a PKCS#1 (`RSA PRIVATE KEY`) or PKCS#8 (`PRIVATE KEY`) PEM; an OpenSSL-encrypted PKCS#1 PEM
    (`Proc-Type: 4,ENCRYPTED`, DES-EDE3-CBC, as RAGFlow ships it) is decrypted with `passphrase`."""
    if "BEGIN ENCRYPTED PRIVATE KEY" in pem:
        raise ValueError("PKCS#8-encrypted keys are not supported; decrypt it first (openssl rsa -in … -out …)")
    der = decrypt_pem(pem, passphrase)
    _, outer, _ = _der_read(der, 0)
    fields = _der_sequence(outer)
    if len(fields) == 3 and fields[2][0] == 0x04:  # PKCS#8: version, algorithm, OCTET STRING(PKCS#1)
        _, outer, _ = _der_read(fields[2][1], 0)
        fields = _der_sequence(outer)
    numbers = [int.from_bytes(content, "big") for tag, content in fields if tag == 0x02]
    if len(numbers) < 4:
        raise ValueError("not an RSA private key")
    return RsaPrivateKey(n=numbers[1], d=numbers[3])


def private_key_from(path: str | None, passphrase: str = "Welcome") -> RsaPrivateKey | None:
    """The key pair at `path` (`Settings.rsa_private_key`; `RAGFLOW_KEY_PAIR` is the shipped one), if configured."""
    if not path:
        return None
    target = SHIPPED_PRIVATE_KEY if path == RAGFLOW_KEY_PAIR else Path(path)
    return _cached_key(str(target), target.stat().st_mtime_ns, passphrase)


@functools.lru_cache(maxsize=8)
def _cached_key(path: str, mtime_ns: int, passphrase: str) -> RsaPrivateKey:
    """Decrypting a PEM costs ~0.1 s in pure Python: once per file version and passphrase."""
    return load_private_key(Path(path).read_text(encoding="ascii"), passphrase)


def encrypt_password(plain: str, public_n: int, public_e: int = 65537, *, rng: Any = None) -> str:
    """What the web UI sends: base64(RSA-PKCS#1-v1.5(base64(plain))) under a public key (tests, examples)."""
    message = base64.b64encode(plain.encode("utf-8"))
    size = (public_n.bit_length() + 7) // 8
    chooser = rng if rng is not None else secrets.SystemRandom()
    padding = bytes(chooser.randrange(1, 256) for _ in range(size - 3 - len(message)))
    block = b"\x00\x02" + padding + b"\x00" + message
    cipher = pow(int.from_bytes(block, "big"), public_e, public_n).to_bytes(size, "big")
    return base64.b64encode(cipher).decode("ascii")


def shipped_public_modulus() -> int:
    """The modulus of the shipped key pair (its public key is the one RAGFlow's web UI encrypts with)."""
    key = private_key_from(RAGFLOW_KEY_PAIR)
    if key is None:  # never: the shipped key always loads
        raise RuntimeError("shipped RSA key missing")
    return key.n


@functools.lru_cache(maxsize=1024)
def _decrypted(key: RsaPrivateKey, ciphertext: bytes) -> bytes:
    """`key.decrypt(ciphertext)` (~50 ms of pure-Python RSA), once per key and ciphertext: test suites send the
    same encrypted password on every register and login."""
    return key.decrypt(ciphertext)


def decode_transported_password(value: Any, key: RsaPrivateKey | None) -> str:
    """What the server's `decrypt(password)` yields, raising `TransportError` with its exact exception.

    With no key pair configured, a well-formed 256-byte ciphertext is an opaque secret (its bytes, hex).
    """
    try:
        ciphertext = base64.b64decode(value)
    except (TypeError, ValueError) as exc:  # binascii.Error is a ValueError
        raise TransportError.of(from_exception(exc)) from None
    if len(ciphertext) != CIPHERTEXT_BYTES:
        raise TransportError("ValueError", f"Ciphertext with incorrect length (not {CIPHERTEXT_BYTES} bytes)")
    if key is None:
        return "opaque:" + ciphertext.hex()
    plain = _decrypted(key, ciphertext)
    try:
        return plain.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TransportError("UnicodeDecodeError", str(exc)) from None


# -- password hashes ---------------------------------------------------------------------------------
def hash_password(secret: str, *, deterministic: bool = False) -> str:
    """werkzeug's `generate_password_hash` default: `scrypt:32768:8:1$<salt16>$<hex128>`.

    `deterministic` derives the salt from the secret (seeded emulators: same input, same hash, and the
    memoised scrypt makes repeated registrations in a test run cheap).
    """
    if deterministic:
        digest = hashlib.sha256(secret.encode()).digest()
        salt = "".join(_SALT_CHARS[b % len(_SALT_CHARS)] for b in digest[:16])
    else:
        salt = "".join(secrets.choice(_SALT_CHARS) for _ in range(16))
    return f"scrypt:{_SCRYPT[0]}:{_SCRYPT[1]}:{_SCRYPT[2]}${salt}${_scrypt_hex(secret, salt)}"


def check_password(stored: str, secret: str) -> bool:
    """werkzeug's `check_password_hash` for the scrypt hashes `hash_password` makes."""
    method, _, rest = stored.partition("$")
    salt, _, digest = rest.partition("$")
    if method != "scrypt:32768:8:1" or not digest:
        return False
    return hmac.compare_digest(_scrypt_hex(secret, salt), digest)


@functools.lru_cache(maxsize=256)
def _scrypt_hex(secret: str, salt: str) -> str:
    n, r, p = _SCRYPT
    return hashlib.scrypt(secret.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=132 * 1024 * 1024, dklen=64).hex()
