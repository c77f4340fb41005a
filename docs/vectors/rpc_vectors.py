#!/usr/bin/env python3
"""The test vectors of requests and streams (docs/protocol.md section 4.8), produced from the
specification's text by an implementation independent of the library (Python's struct alone).

    python3 docs/vectors/rpc_vectors.py

Prints `NAME = hex` lines: inner frames (section 2.4: type, flags, length, payload) as a record
carries them; RpcFrameTest holds the same values and checks that the library writes them byte
for byte and reads them back.
"""
import struct

REQUEST, RESPONSE, ERROR, REQUEST_N, CANCEL = 0x30, 0x31, 0x32, 0x33, 0x34
MODE_RESPONSE, MODE_STREAM, MODE_FIRE_AND_FORGET = 0, 1, 2
NEXT, COMPLETE, FOLLOWS = 1, 2, 4
APPLICATION, REFUSED, NO_HANDLER, FAILED = 1, 2, 3, 4


def inner(type_, payload):
    return struct.pack(">BBI", type_, 0, len(payload)) + payload


def request(stream, mode, credits, type_, payload):
    return inner(REQUEST, struct.pack(">IBIB", stream, mode, credits, type_) + payload)


def response(stream, item=None, complete=False, follows=False):
    flags = (NEXT if item is not None else 0) | (COMPLETE if complete else 0) | (FOLLOWS if follows else 0)
    body = struct.pack(">IB", stream, flags)
    if item is not None:
        body += struct.pack(">B", item[0]) + item[1]
    return inner(RESPONSE, body)


def error(stream, code, app_code, text):
    t = text.encode("utf-8")
    return inner(ERROR, struct.pack(">IBIH", stream, code, app_code, len(t)) + t)


def request_n(stream, n):
    return inner(REQUEST_N, struct.pack(">II", stream, n))


def cancel(stream):
    return inner(CANCEL, struct.pack(">I", stream))


vectors = {
    "REQUEST_RESPONSE": request(1, MODE_RESPONSE, 0, 0x81, struct.pack(">Q", 1000)),
    "REQUEST_STREAM": request(2, MODE_STREAM, 16, 0x82, struct.pack(">Q", 1000)),
    "REQUEST_FIRE_AND_FORGET": request(0, MODE_FIRE_AND_FORGET, 0, 0x83, b"hi"),
    "RESPONSE_ITEM_COMPLETE": response(1, (0x81, b"header"), complete=True),
    "RESPONSE_ITEM": response(2, (0x84, b"block-1000")),
    "RESPONSE_COMPLETE": response(2, complete=True),
    "RESPONSE_FRAGMENT": response(2, (0x84, b"block-"), follows=True),
    "ERROR_APPLICATION": error(1, APPLICATION, 404, "no such block"),
    "ERROR_REFUSED": error(3, REFUSED, 0, "over the limit of requests in flight or per second"),
    "REQUEST_N": request_n(2, 32),
    "CANCEL": cancel(2),
}

for name, frame in vectors.items():
    print(f"{name} = {frame.hex()}")
