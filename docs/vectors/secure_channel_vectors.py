#!/usr/bin/env python3
"""The test vectors of the secure channel (wire protocol v2) in docs/protocol.md, produced
from the specification's text by an implementation independent of the library: Python and the
`cryptography` package (X25519, AES-256-GCM, SHA-256 and HMAC from OpenSSL). Noise revision
34's HandshakeState, SymmetricState and CipherState are written here again, for XX and IK only.

    python3 docs/vectors/secure_channel_vectors.py      # Debian: apt-get install python3-cryptography

Prints `NAME = hex` lines; SecureChannelVectorsTest holds the same values and checks that the
library produces them byte for byte and reads them back.
"""
import hashlib
import hmac
import struct

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives import serialization

MAGIC = 0x50325031
PROLOGUE = b"reactive-p2p/2" + struct.pack(">I", MAGIC)
MAX_NONCE = 2**64 - 1


def pub(priv):
    key = X25519PrivateKey.from_private_bytes(priv).public_key()
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def dh(priv, public):
    return X25519PrivateKey.from_private_bytes(priv).exchange(X25519PublicKey.from_public_bytes(public))


class CipherState:
    def __init__(self, k=None):
        self.k, self.n = k, 0

    def nonce(self, n):
        return b"\x00" * 4 + struct.pack(">Q", n)

    def encrypt(self, ad, plaintext):
        if self.k is None:
            return plaintext
        out = AESGCM(self.k).encrypt(self.nonce(self.n), plaintext, ad)
        self.n += 1
        return out

    def decrypt(self, ad, ciphertext):
        if self.k is None:
            return ciphertext
        out = AESGCM(self.k).decrypt(self.nonce(self.n), ciphertext, ad)
        self.n += 1
        return out

    def rekey(self):
        self.k = AESGCM(self.k).encrypt(self.nonce(MAX_NONCE), b"\x00" * 32, b"")[:32]


def hkdf(ck, ikm, n):
    temp = hmac.new(ck, ikm, hashlib.sha256).digest()
    outs, prev = [], b""
    for i in range(1, n + 1):
        prev = hmac.new(temp, prev + bytes([i]), hashlib.sha256).digest()
        outs.append(prev)
    return outs


class Handshake:
    PATTERNS = {
        "XX": (False, [["e"], ["e", "ee", "s", "es"], ["s", "se"]]),
        "IK": (True, [["e", "es", "s", "ss"], ["e", "ee", "se"]]),
    }

    def __init__(self, pattern, initiator, s, e, rs=None):
        responder_static_known, self.messages = self.PATTERNS[pattern]
        name = ("Noise_%s_25519_AESGCM_SHA256" % pattern).encode()
        self.h = name.ljust(32, b"\x00") if len(name) <= 32 else hashlib.sha256(name).digest()
        self.ck, self.cs = self.h, CipherState()
        self.initiator, self.s, self.e, self.rs, self.re = initiator, s, e, rs, None
        self.mix_hash(PROLOGUE)
        if responder_static_known:
            self.mix_hash(rs if initiator else pub(s))
        self.i = 0

    def mix_hash(self, data):
        self.h = hashlib.sha256(self.h + data).digest()

    def mix_key(self, ikm):
        self.ck, k = hkdf(self.ck, ikm, 2)
        self.cs = CipherState(k)

    def encrypt_and_hash(self, p):
        c = self.cs.encrypt(self.h, p)
        self.mix_hash(c)
        return c

    def decrypt_and_hash(self, c):
        p = self.cs.decrypt(self.h, c)
        self.mix_hash(c)
        return p

    def token_dh(self, t):
        mine = {"ee": (self.e, self.re),
                "es": (self.e, self.rs) if self.initiator else (self.s, self.re),
                "se": (self.s, self.re) if self.initiator else (self.e, self.rs),
                "ss": (self.s, self.rs)}[t]
        self.mix_key(dh(*mine))

    def write(self, payload):
        out = b""
        for t in self.messages[self.i]:
            if t == "e":
                out += pub(self.e)
                self.mix_hash(pub(self.e))
            elif t == "s":
                out += self.encrypt_and_hash(pub(self.s))
            else:
                self.token_dh(t)
        out += self.encrypt_and_hash(payload)
        self.i += 1
        return out

    def read(self, message):
        at = 0
        for t in self.messages[self.i]:
            if t == "e":
                self.re = message[at:at + 32]
                at += 32
                self.mix_hash(self.re)
            elif t == "s":
                n = 48 if self.cs.k is not None else 32
                self.rs = self.decrypt_and_hash(message[at:at + n])
                at += n
            else:
                self.token_dh(t)
        payload = self.decrypt_and_hash(message[at:])
        self.i += 1
        return payload

    def split(self):
        k1, k2 = hkdf(self.ck, b"", 2)
        c1, c2 = CipherState(k1), CipherState(k2)
        return (c1, c2) if self.initiator else (c2, c1)  # (send, receive)


def hello_v2(port, timestamp, agent, status):
    a = agent.encode()
    return (struct.pack(">HHQQ", 2, port, 1, timestamp) + struct.pack(">H", len(a)) + a
            + struct.pack(">I", len(status)) + status)


def inner(type_, payload, flags=0):
    return struct.pack(">BBI", type_, flags, len(payload)) + payload


def record(cs, plaintext):
    if cs.n != 0 and cs.n % 65536 == 0:
        cs.rekey()
    c = cs.encrypt(b"", plaintext)
    return struct.pack(">H", len(c)) + c


def main():
    dialer_s, dialer_e = bytes(range(1, 33)), bytes(range(33, 65))
    listener_s, listener_e = bytes(range(65, 97)), bytes(range(97, 129))
    hello_d = hello_v2(3000, 1764000000000, "reactive-p2p/0.2.0", b"chain-1")
    hello_l = hello_v2(3001, 1764000000001, "reactive-p2p/0.2.0", b"chain-1")
    v = {}
    v["DIALER_STATIC_PUBLIC"] = pub(dialer_s)
    v["LISTENER_STATIC_PUBLIC"] = pub(listener_s)
    v["HELLO_V2_DIALER"] = hello_d
    v["HELLO_V2_LISTENER"] = hello_l
    v["PROLOGUE"] = PROLOGUE

    # XX: the dialer's first write is the preamble and message 1, each message u16-length-prefixed.
    i = Handshake("XX", True, dialer_s, dialer_e)
    r = Handshake("XX", False, listener_s, listener_e)
    m1 = i.write(b"")
    assert r.read(m1) == b""
    m2 = r.write(hello_l)
    assert i.read(m2) == hello_l
    m3 = i.write(hello_d)
    assert r.read(m3) == hello_d
    assert i.h == r.h
    v["XX_DIALER_FIRST_WRITE"] = struct.pack(">IB", MAGIC, 1) + struct.pack(">H", len(m1)) + m1
    v["XX_MESSAGE_2"] = struct.pack(">H", len(m2)) + m2
    v["XX_MESSAGE_3"] = struct.pack(">H", len(m3)) + m3
    v["XX_HANDSHAKE_HASH"] = i.h
    i_send, i_recv = i.split()
    r_send, r_recv = r.split()

    # Inner frames, and the first records of each side after XX.
    ping = inner(0x02, struct.pack(">Q", 0x0102030405060708))
    tx = inner(0x20, b"hello")
    pong = inner(0x03, struct.pack(">Q", 0x0102030405060708))
    v["INNER_PING"] = ping
    v["INNER_TX"] = tx
    v["XX_DIALER_RECORD_0"] = record(i_send, ping + tx)
    v["XX_LISTENER_RECORD_0"] = record(r_send, pong)
    assert r_recv.decrypt(b"", v["XX_DIALER_RECORD_0"][2:]) == ping + tx
    # Records 1..65535 of the dialer each carry one zero byte; record 65536 comes after the rekey.
    for _ in range(1, 65536):
        record(i_send, b"\x00")
    v["XX_DIALER_RECORD_65536"] = record(i_send, ping)

    # IK: the dialer knows the listener's key; message 1 carries the dialer's hello.
    i = Handshake("IK", True, dialer_s, dialer_e, rs=pub(listener_s))
    r = Handshake("IK", False, listener_s, listener_e)
    m1 = i.write(hello_d)
    assert r.read(m1) == hello_d and r.rs == pub(dialer_s)
    m2 = r.write(hello_l)
    assert i.read(m2) == hello_l
    v["IK_DIALER_FIRST_WRITE"] = struct.pack(">IB", MAGIC, 2) + struct.pack(">H", len(m1)) + m1
    v["IK_MESSAGE_2"] = struct.pack(">H", len(m2)) + m2
    v["IK_HANDSHAKE_HASH"] = i.h

    for name, value in v.items():
        print("%s = %s" % (name, value.hex()))


if __name__ == "__main__":
    main()
