"""Account cryptography: itsdangerous-compatible login tokens, API-key recipe, RSA transport, scrypt hashes."""

from __future__ import annotations

import base64
import functools
import random

import pytest

from mockserver.families.accounts.crypto import (
    RsaPrivateKey,
    TimedSerializer,
    TransportError,
    api_token_text,
    b64url_decode,
    check_password,
    decode_transported_password,
    hash_password,
    load_private_key,
)

REFERENCE_TOKEN = "IjBhMjdlNDMwZTc1NzExZjFiMzYyMDJmYzAwMDAwMDAxIg.awRjLA.vIDkXef8FBYvAvfU5sj5j9YXSMg"


def test_login_token_matches_the_reference_example_byte_for_byte() -> None:
    """loginUser: the signed login token is the reference's example byte for byte."""
    serializer = TimedSerializer("2025-05-09")
    access = serializer.loads(REFERENCE_TOKEN)
    assert access == "0a27e430e75711f1b36202fc00000001"
    stamp = int.from_bytes(b64url_decode("awRjLA"), "big")
    assert serializer.dumps(access, stamp) == REFERENCE_TOKEN
    assert len(REFERENCE_TOKEN) == 81


@pytest.mark.parametrize(
    "token",
    [REFERENCE_TOKEN[:-1] + "x", "Bearer " + REFERENCE_TOKEN, "garbage", "", "a.b", ".x.y"],
)
def test_tampered_or_malformed_tokens_do_not_load(token: str) -> None:
    """loginUser tokens: tampered or malformed tokens do not unsign."""
    assert TimedSerializer("2025-05-09").loads(token) is None


def test_other_secret_rejects_token() -> None:
    """loginUser tokens: another secret key rejects the token."""
    assert TimedSerializer("2025-05-10").loads(REFERENCE_TOKEN) is None


def test_api_token_recipe_shape() -> None:
    """createSystemToken: the `ragflow-…` key recipe."""
    token = api_token_text("0a27e430e75711f1b36202fc00000001", "0a27f06ae75711f1b36202fc00000001", 1746789428)
    assert token.startswith("ragflow-")
    assert len(token) == 40
    assert token[8:].isalnum()


@pytest.mark.parametrize(
    ("value", "exc_class", "text"),
    [
        ("pässword", "ValueError", "string argument should contain only ASCII characters"),
        (None, "TypeError", "argument should be a bytes-like object or ASCII string, not 'NoneType'"),
        (5, "TypeError", "argument should be a bytes-like object or ASCII string, not 'int'"),
        (1.5, "TypeError", "argument should be a bytes-like object or ASCII string, not 'float'"),
        (True, "TypeError", "argument should be a bytes-like object or ASCII string, not 'bool'"),
        ([], "TypeError", "argument should be a bytes-like object or ASCII string, not 'list'"),
        ({}, "TypeError", "argument should be a bytes-like object or ASCII string, not 'dict'"),
        (
            "admin",
            "Error",
            "Invalid base64-encoded string: number of data characters (5) cannot be 1 more than a multiple of 4",
        ),
        ("123", "Error", "Incorrect padding"),
        ("", "ValueError", "Ciphertext with incorrect length (not 256 bytes)"),
        ("MTIz", "ValueError", "Ciphertext with incorrect length (not 256 bytes)"),
    ],
)
def test_transport_failures_match_the_server(value: object, exc_class: str, text: str) -> None:
    """registerUser, loginUser: undecryptable passwords fail with the server's Python exceptions."""
    with pytest.raises(TransportError) as caught:
        decode_transported_password(value, None)
    assert (caught.value.exc_type, caught.value.text) == (exc_class, text)


def test_opaque_ciphertext_ignores_non_alphabet_characters() -> None:
    """registerUser, loginUser: an opaque ciphertext ignores characters outside the base64 alphabet."""
    raw = bytes(range(256))
    encoded = base64.b64encode(raw).decode()
    wrapped = "\n".join(encoded[i : i + 64] for i in range(0, len(encoded), 64))
    assert decode_transported_password(encoded, None) == decode_transported_password(wrapped, None)


# -- exact RSA decryption with a configured key pair ----------------------------------------------
def _probable_prime(bits: int, rng: random.Random) -> int:
    while True:
        candidate = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
        if all(candidate % p for p in (3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)) and all(
            pow(a, candidate - 1, candidate) == 1 for a in (2, 3, 5, 7, 11, 13)
        ):
            return candidate


def _der_int(value: int) -> bytes:
    body = value.to_bytes(value.bit_length() // 8 + 1, "big")
    return b"\x02" + _der_len(len(body)) + body


def _der_len(n: int) -> bytes:
    if n < 128:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


@functools.cache
def rsa_key_pair() -> tuple[str, int, int]:
    """A fixed 2048-bit test key pair as (PKCS#1 PEM, modulus, public exponent), made once per run."""
    rng = random.Random(7)
    e = 65537
    while True:
        p, q = _probable_prime(1024, rng), _probable_prime(1024, rng)
        n, phi = p * q, (p - 1) * (q - 1)
        if n.bit_length() == 2048 and phi % e:
            break
    d = pow(e, -1, phi)
    fields = [0, n, e, d, p, q, d % (p - 1), d % (q - 1), pow(q, -1, p)]
    body = b"".join(_der_int(v) for v in fields)
    der = b"\x30" + _der_len(len(body)) + body
    b64 = base64.b64encode(der).decode()
    lines = [b64[i : i + 64] for i in range(0, len(b64), 64)]
    pem = "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END RSA PRIVATE KEY-----\n"
    return pem, n, e


def _encrypt(plain: bytes, n: int, e: int, rng: random.Random) -> str:
    padding = bytes(rng.randrange(1, 256) for _ in range(256 - 3 - len(plain)))
    block = b"\x00\x02" + padding + b"\x00" + plain
    return base64.b64encode(pow(int.from_bytes(block, "big"), e, n).to_bytes(256, "big")).decode()


@pytest.fixture(scope="module")
def key_pair() -> tuple[RsaPrivateKey, int, int]:
    pem, n, e = rsa_key_pair()
    return load_private_key(pem), n, e


def test_configured_key_decrypts_exactly(key_pair: tuple[RsaPrivateKey, int, int]) -> None:
    """registerUser, loginUser: a configured key pair decrypts the transported password exactly."""
    key, n, e = key_pair
    rng = random.Random(1)
    first, second = _encrypt(b"MTIz", n, e, rng), _encrypt(b"MTIz", n, e, rng)
    assert first != second
    assert decode_transported_password(first, key) == decode_transported_password(second, key) == "MTIz"


def test_configured_key_bad_padding_means_empty_password(key_pair: tuple[RsaPrivateKey, int, int]) -> None:
    """registerUser, loginUser: a bad PKCS#1 padding decrypts to the empty password."""
    key, _, _ = key_pair
    assert decode_transported_password(base64.b64encode(b"\x01" * 256).decode(), key) == ""


def test_configured_key_rejects_too_large_ciphertext(key_pair: tuple[RsaPrivateKey, int, int]) -> None:
    """registerUser, loginUser: a ciphertext larger than the modulus fails."""
    key, _, _ = key_pair
    with pytest.raises(TransportError, match="Ciphertext too large"):
        decode_transported_password(base64.b64encode(b"\xff" * 256).decode(), key)


def test_encrypted_pem_in_another_cipher_is_refused() -> None:
    """Settings.rsa_private_key: an encrypted PEM is read only in RAGFlow's cipher (DES-EDE3-CBC)."""
    with pytest.raises(ValueError, match="only DES-EDE3-CBC"):
        load_private_key("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n-----END RSA PRIVATE KEY-----")


def test_scrypt_hash_shape_and_check() -> None:
    """registerUser: the stored password hash is werkzeug's scrypt format."""
    stored = hash_password("MTIz")
    method, salt, digest = stored.split("$")
    assert method == "scrypt:32768:8:1"
    assert len(salt) == 16
    assert len(digest) == 128
    assert check_password(stored, "MTIz")
    assert not check_password(stored, "MTIy")
    assert not check_password("pbkdf2:sha256$x$y", "MTIz")
