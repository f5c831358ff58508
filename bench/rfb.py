"""A minimal RFB (VNC) client for the desktop benchmark: handshake, raw updates, pointer clicks.

Works over a unix socket (straight to Xvnc) or a websocket (through the Jupyter server's raw socket
proxy), so click-to-update latency can be compared path against path.
"""

from __future__ import annotations

import socket
import struct
import time
from typing import Callable

import websocket


class Timeout(Exception):
    pass


class Transport:
    def __init__(self, recv: Callable[[float], bytes], send: Callable[[bytes], None], close: Callable[[], None]):
        self._recv, self.send, self.close = recv, send, close
        self.buffer = bytearray()

    def fill(self, timeout: float) -> None:
        chunk = self._recv(timeout)
        if not chunk:
            raise ConnectionError("the VNC connection closed")
        self.buffer += chunk


def unix_transport(path: str) -> Transport:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)

    def recv(timeout: float) -> bytes:
        s.settimeout(timeout)
        try:
            return s.recv(1 << 20)
        except socket.timeout:
            raise Timeout() from None

    return Transport(recv, s.sendall, s.close)


def websocket_transport(url: str, token: str) -> Transport:
    ws = websocket.create_connection(url, header=[f"Authorization: token {token}"], timeout=30)

    def recv(timeout: float) -> bytes:
        ws.settimeout(timeout)
        try:
            return ws.recv()
        except websocket.WebSocketTimeoutException:
            raise Timeout() from None

    return Transport(recv, lambda data: ws.send_binary(data), ws.close)


class RfbClient:
    def __init__(self, transport: Transport):
        self.t = transport
        self.width = self.height = 0
        self.bpp = 4

    def _take(self, n: int, timeout: float = 30) -> bytes:
        while len(self.t.buffer) < n:
            self.t.fill(timeout)
        data = bytes(self.t.buffer[:n])
        del self.t.buffer[:n]
        return data

    def handshake(self) -> None:
        version = self._take(12)
        assert version.startswith(b"RFB 003."), version
        self.t.send(b"RFB 003.008\n")
        count = self._take(1)[0]
        types = self._take(count)
        assert 1 in types, f"the server wants authentication: {list(types)}"
        self.t.send(b"\x01")
        assert struct.unpack(">I", self._take(4))[0] == 0, "security handshake failed"
        self.t.send(b"\x01")  # shared
        self.width, self.height = struct.unpack(">HH", self._take(4))
        pixel_format = self._take(16)
        self.bpp = pixel_format[0] // 8
        name_len = struct.unpack(">I", self._take(4))[0]
        self._take(name_len)
        self.t.send(struct.pack(">BxHi", 2, 1, 0))  # SetEncodings: Raw only

    def request(self, incremental: bool) -> None:
        self.t.send(struct.pack(">BBHHHH", 3, int(incremental), 0, 0, self.width, self.height))

    def click(self, x: int, y: int) -> None:
        self.t.send(struct.pack(">BBHH", 5, 1, x, y) + struct.pack(">BBHH", 5, 0, x, y))

    def _message_length(self) -> int | None:
        """Length of the complete message at the head of the buffer, None if more bytes are needed."""
        b = self.t.buffer
        if not b:
            return None
        kind = b[0]
        if kind == 0:
            if len(b) < 4:
                return None
            (nrects,) = struct.unpack(">H", b[2:4])
            pos = 4
            for _ in range(nrects):
                if len(b) < pos + 12:
                    return None
                _, _, w, h, enc = struct.unpack(">HHHHi", b[pos:pos + 12])
                pos += 12
                if enc == 0:
                    pos += w * h * self.bpp
                elif enc not in (-223, -308):
                    raise ValueError(f"unexpected encoding {enc}")
            return pos if len(b) >= pos else None
        if kind == 1:
            if len(b) < 6:
                return None
            (n,) = struct.unpack(">H", b[4:6])
            return 6 + 6 * n if len(b) >= 6 + 6 * n else None
        if kind == 2:
            return 1
        if kind == 3:
            if len(b) < 8:
                return None
            (n,) = struct.unpack(">I", b[4:8])
            return 8 + n if len(b) >= 8 + n else None
        raise ValueError(f"unexpected server message {kind}")

    def next_message(self, timeout: float) -> tuple[int, int]:
        """(message type, rectangles) of the next complete server message."""
        deadline = time.monotonic() + timeout
        while (length := self._message_length()) is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Timeout()
            self.t.fill(remaining)
        kind = self.t.buffer[0]
        rects = struct.unpack(">H", self.t.buffer[2:4])[0] if kind == 0 else 0
        del self.t.buffer[:length]
        return kind, rects

    def wait_update(self, timeout: float) -> None:
        while True:
            kind, rects = self.next_message(timeout)
            if kind == 0:
                self.request(True)
                if rects:
                    return

    def settle(self, quiet: float = 0.3) -> None:
        """Read updates until none comes for ``quiet`` seconds."""
        while True:
            try:
                self.wait_update(quiet)
            except Timeout:
                return


def click_latencies(client: RfbClient, x: int, y: int, clicks: int) -> list[float]:
    """Milliseconds from sending a click until the first screen update after it, ``clicks`` times."""
    client.handshake()
    client.request(False)
    client.wait_update(30)
    latencies = []
    for _ in range(clicks):
        client.settle()
        start = time.perf_counter()
        client.click(x, y)
        client.wait_update(10)
        latencies.append((time.perf_counter() - start) * 1000)
    client.settle()
    return latencies
