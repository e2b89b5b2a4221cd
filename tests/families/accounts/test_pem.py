"""Tests of accounts/pem and the shipped key pair: RAGFlow's encrypted `conf/private.pem` decrypts with `Welcome`
and its public half is the key the web UI encrypts with."""

from __future__ import annotations

import base64
import random

import pytest

from mockserver.families.accounts.crypto import (
    SHIPPED_PRIVATE_KEY,
    decode_transported_password,
    encrypt_password,
    load_private_key,
    private_key_from,
)
from mockserver.families.accounts.pem import _des_block, des_ede3_cbc_decrypt, evp_bytes_to_key
from mockserver.settings import RAGFLOW_KEY_PAIR

PUBLIC_PEM = SHIPPED_PRIVATE_KEY.parent / "ragflow_public.pem"


def test_des_known_answer_and_cbc_padding() -> None:
    """The DES block function on the classic vector; CBC decryption checks the PKCS#5 padding."""
    key = bytes.fromhex("133457799BBCDFF1")
    assert _des_block(0x0123456789ABCDEF, key, decrypt=False) == 0x85E813540F0AB405
    assert _des_block(0x85E813540F0AB405, key, decrypt=True) == 0x0123456789ABCDEF
    padded = _des_block(0x0808080808080808, key, decrypt=False).to_bytes(8, "big")  # IV 0, one padding block
    assert des_ede3_cbc_decrypt(key * 3, bytes(8), padded) == b""
    with pytest.raises(ValueError, match="bad decrypt"):
        des_ede3_cbc_decrypt(key * 3, bytes(8), bytes(8))


def test_evp_bytes_to_key_is_openssls_md5_derivation() -> None:
    """evp_bytes_to_key: the 24-byte key OpenSSL derives for `Welcome` and the shipped file's salt."""
    key = evp_bytes_to_key(b"Welcome", bytes.fromhex("EFF8327C41E531AD"), 24)
    assert key.hex() == "078c97d6c9ad69eab913f3d93b67082fc97eecc5861886e6"


def test_shipped_key_pair_matches_the_public_key_of_the_web_ui() -> None:
    """The shipped private key (encrypted, passphrase Welcome) is the public key's pair."""
    key = private_key_from(RAGFLOW_KEY_PAIR)
    assert key is not None
    body = "".join(line for line in PUBLIC_PEM.read_text().splitlines() if not line.startswith("-----"))
    assert key.n.to_bytes(256, "big") in base64.b64decode(body)
    assert "Proc-Type: 4,ENCRYPTED" in SHIPPED_PRIVATE_KEY.read_text()
    with pytest.raises(ValueError, match="bad decrypt"):
        load_private_key(SHIPPED_PRIVATE_KEY.read_text(), "wrong")


def test_what_the_ui_sends_decrypts_to_the_base64_of_the_password() -> None:
    """decode_transported_password: a fresh UI ciphertext → base64(plain), as the server stores and compares."""
    key = private_key_from(RAGFLOW_KEY_PAIR)
    assert key is not None
    rng = random.Random(7)
    first, second = encrypt_password("123", key.n, rng=rng), encrypt_password("123", key.n, rng=rng)
    assert first != second and len(first) == 344
    assert decode_transported_password(first, key) == decode_transported_password(second, key) == "MTIz"
