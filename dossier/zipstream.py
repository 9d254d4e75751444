"""A ZIP written as a stream: each member's bytes go through `zipfile` into a sink that
the caller drains after every piece, so that what is held in memory at any time is the
piece being written (a row of a CSV, one stored PDF), never the archive.

`zipfile` writes to an output it cannot seek in (a response being sent, a pipe) by putting
each member's sizes and CRC after its data (a data descriptor); the central directory at
the end repeats them, and every reader (Python's zipfile, Info-ZIP, 7-Zip, the file
managers) reads the archive from it."""

import hashlib
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# Already compressed: deflating them again costs time for nothing.
STORED_SUFFIXES = (".pdf", ".xlsx", ".zip", ".png", ".jpg", ".jpeg")


class _Sink(io.RawIOBase):
    """Collects what zipfile writes until it is drained; cannot seek (so zipfile streams)."""

    def __init__(self):
        self._chunks: list[bytes] = []
        self.written = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        self.written += len(data)
        return len(data)

    def held(self) -> int:
        return sum(len(chunk) for chunk in self._chunks)

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


@dataclass
class Written:
    """One member as written: its name, the SHA-256 and size of its (uncompressed) bytes."""

    name: str
    sha256: str
    size: int


class ZipStream:
    """`add(name, pieces)` yields the archive's bytes as each piece is written; `close()`
    yields the central directory. `largest_held` is the most bytes ever waiting in the sink
    (for the tests of constant memory)."""

    def __init__(self, *, date_time: tuple):
        self._sink = _Sink()
        self._zip = zipfile.ZipFile(self._sink, mode="w", allowZip64=True)
        self._date_time = date_time
        self.largest_held = 0

    @property
    def size(self) -> int:
        return self._sink.written

    def _drain(self) -> bytes:
        self.largest_held = max(self.largest_held, self._sink.held())
        return self._sink.drain()

    def add(self, name: str, pieces: Iterable[bytes], into: list[Written]) -> Iterator[bytes]:
        """Write the member `name` from `pieces`, yielding the archive's bytes as they come;
        its hash and size are appended to `into` once it is complete."""
        info = zipfile.ZipInfo(name, date_time=self._date_time)
        info.external_attr = 0o644 << 16
        if name.lower().endswith(STORED_SUFFIXES):
            info.compress_type = zipfile.ZIP_STORED
        else:
            info.compress_type = zipfile.ZIP_DEFLATED
        digest, size = hashlib.sha256(), 0
        # force_zip64: the size is not known before the end; a member past 2 GiB stays valid.
        with self._zip.open(info, mode="w", force_zip64=True) as member:
            for piece in pieces:
                if not piece:
                    continue
                member.write(piece)
                digest.update(piece)
                size += len(piece)
                if self._sink.held() >= 64 * 1024:
                    yield self._drain()
        into.append(Written(name=name, sha256=digest.hexdigest(), size=size))
        data = self._drain()
        if data:
            yield data

    def close(self) -> Iterator[bytes]:
        self._zip.close()
        data = self._drain()
        if data:
            yield data
