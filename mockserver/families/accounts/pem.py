"""Encrypted PEM keys as OpenSSL writes them (`Proc-Type: 4,ENCRYPTED`, DES-EDE3-CBC): a pure-Python decryptor.

RAGFlow ships `conf/private.pem` encrypted with the passphrase `Welcome`; this module turns such a file back
into its DER body so `crypto.load_private_key` can read it, without any cryptography dependency.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

_IP = (58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6,
       64, 56, 48, 40, 32, 24, 16, 8, 57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3,
       61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7)  # fmt: skip
_FP = tuple(_IP.index(i + 1) + 1 for i in range(64))
_E = (32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17,
      16, 17, 18, 19, 20, 21, 20, 21, 22, 23, 24, 25, 24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1)  # fmt: skip
_P = (16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10,
      2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25)  # fmt: skip
_PC1 = (57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3,
        60, 52, 44, 36, 63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37,
        29, 21, 13, 5, 28, 20, 12, 4)  # fmt: skip
_PC2 = (14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
        41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32)  # fmt: skip
_SHIFTS = (1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1)
_SBOX = (
    "e4d12fb83a6c5907" "0f74e2d1a6cb9538" "41e8d62bfc973a50" "fc8249175b3ea06d",
    "f18e6b34972dc05a" "3d47f28ec01a69b5" "0e7ba4d158c6932f" "d8a13f42b67c05e9",
    "a09e63f51dc7b428" "d709346a285ecbf1" "d6498f30b12c5ae7" "1ad069874fe3b52c",
    "7de3069a1285bc4f" "d8b56f03472c1ae9" "a690cb7df13e5284" "3f06a1d8945bc72e",
    "2c417ab6853fd0e9" "eb2c47d150fa3986" "421bad78f9c5630e" "b8c71e2d6f09a453",
    "c1af92680d34e75b" "af427c9561de0b38" "9ef528c3704a1db6" "432c95fabe17608d",
    "4b2ef08d3c975a61" "d0b7491ae35c2f86" "14bdc37eaf680592" "6bd814a7950fe23c",
    "d2846fb1a93e50c7" "1fd8a374c56b0e92" "7b419ce206adf358" "21e74a8dfc90356b",
)  # fmt: skip


def _permute(value: int, table: tuple[int, ...], width: int) -> int:
    out = 0
    for position in table:
        out = (out << 1) | ((value >> (width - position)) & 1)
    return out


@cache
def _subkeys(key: bytes) -> tuple[int, ...]:
    """The 16 round keys of one 8-byte DES key."""
    state = _permute(int.from_bytes(key, "big"), _PC1, 64)
    left, right = state >> 28, state & 0xFFFFFFF
    keys = []
    for shift in _SHIFTS:
        left = ((left << shift) | (left >> (28 - shift))) & 0xFFFFFFF
        right = ((right << shift) | (right >> (28 - shift))) & 0xFFFFFFF
        keys.append(_permute((left << 28) | right, _PC2, 56))
    return tuple(keys)


def _feistel(half: int, subkey: int) -> int:
    mixed = _permute(half, _E, 32) ^ subkey
    out = 0
    for box in range(8):
        six = (mixed >> (42 - 6 * box)) & 0x3F
        row, column = ((six >> 4) & 2) | (six & 1), (six >> 1) & 0xF
        out = (out << 4) | int(_SBOX[box][row * 16 + column], 16)
    return _permute(out, _P, 32)


def _des_block(block: int, key: bytes, *, decrypt: bool) -> int:
    subkeys = _subkeys(key)
    state = _permute(block, _IP, 64)
    left, right = state >> 32, state & 0xFFFFFFFF
    for subkey in reversed(subkeys) if decrypt else subkeys:
        left, right = right, left ^ _feistel(right, subkey)
    return _permute((right << 32) | left, _FP, 64)


def des_ede3_cbc_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    """Triple-DES (EDE, three keys) CBC decryption with PKCS#5 padding removed; ValueError for bad input."""
    if len(key) != 24 or len(iv) != 8 or not data or len(data) % 8:
        raise ValueError("bad triple-DES key, IV or ciphertext length")
    k1, k2, k3 = key[:8], key[8:16], key[16:]
    previous = int.from_bytes(iv, "big")
    out = bytearray()
    for start in range(0, len(data), 8):
        block = int.from_bytes(data[start : start + 8], "big")
        plain = _des_block(_des_block(_des_block(block, k3, decrypt=True), k2, decrypt=False), k1, decrypt=True)
        out += (plain ^ previous).to_bytes(8, "big")
        previous = block
    pad = out[-1]
    if not 1 <= pad <= 8 or out[-pad:] != bytes([pad]) * pad:
        raise ValueError("bad decrypt (wrong passphrase?)")
    return bytes(out[:-pad])


def evp_bytes_to_key(passphrase: bytes, salt: bytes, size: int) -> bytes:
    """OpenSSL's `EVP_BytesToKey` with MD5 and one iteration (the legacy PEM key derivation)."""
    derived = previous = b""
    while len(derived) < size:
        previous = hashlib.md5(previous + passphrase + salt).digest()
        derived += previous
    return derived[:size]


def decrypt_pem(pem: str, passphrase: str) -> bytes:
    """The DER body of a PEM block, decrypted when its headers say `Proc-Type: 4,ENCRYPTED` (DES-EDE3-CBC only)."""
    headers: dict[str, str] = {}
    body: list[str] = []
    for line in pem.splitlines():
        line = line.strip()
        if not line or line.startswith("-----"):
            continue
        name, colon, value = line.partition(":")
        if colon and not body:
            headers[name.strip()] = value.strip()
        else:
            body.append(line)
    data = base64.b64decode("".join(body))
    if "ENCRYPTED" not in headers.get("Proc-Type", ""):
        return data
    cipher, _, iv_hex = headers.get("DEK-Info", "").partition(",")
    if cipher.upper() != "DES-EDE3-CBC":
        raise ValueError(f"unsupported PEM encryption {cipher!r} (only DES-EDE3-CBC)")
    iv = bytes.fromhex(iv_hex)
    return des_ede3_cbc_decrypt(evp_bytes_to_key(passphrase.encode(), iv[:8], 24), iv, data)
