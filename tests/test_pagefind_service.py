"""Pagefind's service protocol, held to what stances.pagefind_service speaks: if Pagefind changes it, these fail.

The first test talks to the real binary with raw bytes, not through the client, so that it checks
the protocol itself: the shape of every request and answer the client sends or reads.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import subprocess
import threading
import time
from importlib import metadata
from pathlib import Path

import pytest

from stances.pagefind_service import VERSION, Service, ServiceError, executable, open_files

ROOT = Path(__file__).resolve().parent.parent


def message(number, payload) -> bytes:
    return base64.b64encode(json.dumps({"message_id": number, "payload": payload}).encode()) + b","


def answers(stdout: bytes) -> list[dict]:
    return [json.loads(base64.b64decode(part)) for part in stdout.split(b",") if part]


def fragments(bundle: Path) -> list[dict]:
    """The records of a written index, as the search page loads them."""
    found = []
    for path in sorted((bundle / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        found.append(json.loads(data[len(b"pagefind_dcd"):]))
    return found


def test_the_binary_speaks_the_protocol_this_client_speaks(tmp_path):
    requests = b"".join([
        message(1, {"type": "NewIndex", "config": {"force_language": "en"}}),
        message(2, {"type": "AddRecord", "index_id": 0, "url": "/a/", "content": "Dams stop floods",
                    "language": "en", "meta": {"title": "A"}, "filters": {"side": ["Upton"]}, "sort": None}),
        message(3, {"type": "AddRecord", "index_id": 7, "url": "/b/", "content": "x", "language": "en",
                    "meta": None, "filters": None, "sort": None}),
        message(4, {"type": "NoSuchRequest"}),
        message(5, {"type": "WriteFiles", "index_id": 0, "output_path": str(tmp_path / "bundle")}),
    ])
    # Pagefind answers each request in turn; it stops as soon as its input ends, answered or not.
    service = subprocess.Popen([str(executable()), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    service.stdin.write(requests)
    service.stdin.flush()
    read = b""
    timer = threading.Timer(60, service.kill)
    timer.start()
    while read.count(b",") < 5 and (chunk := service.stdout.read1(1 << 16)):
        read += chunk
    timer.cancel()
    # Its answer to WriteFiles can come before the files are written whole (see Service.finished_writing).
    bundle = str(tmp_path / "bundle")
    while any(target.startswith(bundle) for target in open_files(Path(f"/proc/{service.pid}/fd"))):
        time.sleep(0.002)
    service.stdin.close()
    assert service.wait(timeout=10) == 0
    got = {(answer["message_id"], answer["payload"]["type"]): answer for answer in answers(read)}
    assert got[(1, "NewIndex")] == {"message_id": 1, "payload": {"type": "NewIndex", "index_id": 0}}
    assert got[(2, "IndexedFile")] == {"message_id": 2, "payload": {
        "type": "IndexedFile", "page_word_count": 3, "page_url": "/a/", "page_meta": {"title": "A"}}}
    refused = got[(3, "Error")]["payload"]
    assert set(refused) == {"type", "message", "original_message"} and "index" in refused["message"].lower()
    unreadable = got[(None, "Error")]["payload"]  # a request it cannot read comes back whole, without its id
    assert json.loads(unreadable["original_message"])["message_id"] == 4
    assert got[(5, "WriteFiles")] == {"message_id": 5, "payload": {
        "type": "WriteFiles", "output_path": str(tmp_path / "bundle")}}
    assert len(got) == 5
    entry = json.loads((tmp_path / "bundle" / "pagefind-entry.json").read_text())
    assert entry["version"] == VERSION and entry["languages"]["en"]["page_count"] == 1
    [record] = fragments(tmp_path / "bundle")
    assert (record["url"], record["meta"], record["filters"]) == ("/a/", {"title": "A"}, {"side": ["Upton"]})
    assert record["content"] == "Dams stop floods"


def test_the_pinned_pagefind_is_the_one_installed_and_the_one_the_client_speaks():
    pinned = re.findall(r'"pagefind\[bin\]==([\d.]+)"', (ROOT / "pyproject.toml").read_text())
    assert pinned == [VERSION]
    assert metadata.version("pagefind-bin") == VERSION
    said = subprocess.run([str(executable()), "--version"], capture_output=True, text=True).stdout
    assert said.split() == ["pagefind", VERSION]


def test_many_records_go_out_without_waiting_and_every_answer_is_read(tmp_path):
    # Sent all at once, the answers fill Pagefind's output long before the requests are all written:
    # the client must read while it writes, or both sides wait for ever.
    outcome = {}

    def index():
        with Service() as service:
            number = service.new_index({"force_language": "en"})
            for count in range(3000):
                service.add_record(number, f"/r/{count}/", f"record number {count} " + "word " * 50, "en",
                                   {"title": f"R{count}"}, {"kind": ["Test"]})
            outcome["written"] = service.answer(service.write_files(number, tmp_path / "bundle"), "WriteFiles")
            service.finished_writing(tmp_path / "bundle")
            outcome["waiting"] = len(service.waiting)

    worker = threading.Thread(target=index, daemon=True)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "the client and Pagefind are waiting on each other"
    assert outcome == {"written": {"type": "WriteFiles", "output_path": str(tmp_path / "bundle")}, "waiting": 0}
    entry = json.loads((tmp_path / "bundle" / "pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == 3000


def test_a_refused_request_is_an_error_not_a_hang(tmp_path):
    with Service() as service:
        service.add_record(5, "/a/", "words", "en")
        with pytest.raises(ServiceError, match="refused an AddRecord request: .*index"):
            service.answer(service.write_files(5, tmp_path / "bundle"), "WriteFiles")


def test_a_service_that_stops_is_an_error_with_its_last_words(tmp_path):
    script = tmp_path / "pagefind"
    script.write_text("#!/bin/sh\necho 'pagefind: out of disk' >&2\nexit 3\n")
    script.chmod(0o755)
    with Service(script) as service:
        with pytest.raises(ServiceError, match=r"pagefind stopped \(exit status 3\): pagefind: out of disk"):
            service.new_index()
