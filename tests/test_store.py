"""The store's files: atomic writes, JSONL round trips, the run lock, the review log."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.store import Store, StoreLocked, locked, read_jsonl, write_atomic, write_jsonl

RECORDS = [
    {"schema_version": "1", "id": "a", "text": "Zoë’s café — “quoted”", "n": 3, "nested": {"x": [1, 2]}},
    {"schema_version": "1", "id": "b", "text": "line\nbreak and\ttab", "n": None, "nested": {}},
]


def test_jsonl_round_trip(tmp_path):
    path = tmp_path / "sub" / "records.jsonl"
    write_jsonl(path, RECORDS)
    assert list(read_jsonl(path)) == RECORDS
    raw = path.read_bytes()
    assert raw.endswith(b"\n") and b"\r" not in raw
    lines = raw.decode("utf-8").split("\n")[:-1]
    assert len(lines) == len(RECORDS)
    assert [json.loads(line) for line in lines] == RECORDS
    assert "Zoë’s café" in lines[0]  # UTF-8, not \\u escapes


def test_write_atomic_text_and_bytes(tmp_path):
    path = tmp_path / "t.txt"
    write_atomic(path, "héllo\n")
    assert path.read_bytes() == "héllo\n".encode()
    write_atomic(path, b"\x00\x01bytes")
    assert path.read_bytes() == b"\x00\x01bytes"


def test_written_files_get_the_usual_permissions(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    path = tmp_path / "claims.jsonl"
    write_jsonl(path, RECORDS)
    assert stat.S_IMODE(path.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)


def test_read_missing_file_is_empty(tmp_path):
    assert list(read_jsonl(tmp_path / "absent.jsonl")) == []


def test_read_broken_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"a": 1}\n\n{"b": \n', encoding="utf-8")
    with pytest.raises(ValueError) as info:
        list(read_jsonl(path))
    assert "bad.jsonl:3" in str(info.value)


def test_write_atomic_leaves_no_temp_files(tmp_path):
    path = tmp_path / "claims.jsonl"
    for n in range(3):
        write_jsonl(path, RECORDS[: n + 1])
    write_atomic(tmp_path / "texts" / "abc.txt", "some text")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "claims.jsonl", "texts", "texts/abc.txt",
    ]
    assert list(read_jsonl(path)) == RECORDS[:3]


def test_failed_write_keeps_old_file_and_no_temp(tmp_path):
    path = tmp_path / "facts.jsonl"
    write_jsonl(path, RECORDS)
    before = path.read_bytes()

    def boom():
        yield RECORDS[0]
        raise RuntimeError("crash while producing records")

    with pytest.raises(RuntimeError):
        write_jsonl(path, boom())
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["facts.jsonl"]


def test_unchanged_content_keeps_mtime(tmp_path):
    path = tmp_path / "documents.jsonl"
    write_jsonl(path, RECORDS)
    old = 1_000_000_000_000_000_000  # 2001-09-09, far from now
    os.utime(path, ns=(old, old))
    inode = path.stat().st_ino
    write_jsonl(path, RECORDS)
    assert path.stat().st_mtime_ns == old
    assert path.stat().st_ino == inode
    write_jsonl(path, RECORDS[:1])
    assert path.stat().st_mtime_ns != old
    assert list(read_jsonl(path)) == RECORDS[:1]


def test_lock_is_exclusive_and_names_the_folder(tmp_path):
    out = tmp_path / "store"
    with locked(out):
        lock = out / ".lock"
        assert lock.read_text() == str(os.getpid())
        with pytest.raises(StoreLocked) as info, locked(out):
            pass
        assert str(out) in str(info.value)
        assert lock.exists()  # the refused second run did not remove the first run's lock
    assert not lock.exists()
    with locked(out):  # free again
        assert lock.exists()


def test_lock_released_on_error(tmp_path):
    with pytest.raises(KeyError), locked(tmp_path):
        raise KeyError("boom")
    assert not (tmp_path / ".lock").exists()


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_lock_is_taken_over(tmp_path):
    lock = tmp_path / ".lock"
    lock.write_text(str(dead_pid()))
    ran = False
    with locked(tmp_path):
        ran = True
        assert lock.read_text() == str(os.getpid())
    assert ran
    assert not lock.exists()


def test_the_lock_dies_with_a_killed_holder(tmp_path):
    """A run killed with SIGKILL cannot release anything; the kernel does, and the pid it left
    in the file is not mistaken for a live holder."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from pipeline.store import locked\n"
         "with locked(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)", str(tmp_path)],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1])
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(StoreLocked, match=f"pid {holder.pid}"), locked(tmp_path):
        pass
    holder.kill()
    holder.wait()
    assert (tmp_path / ".lock").read_text() == str(holder.pid)  # left behind, but not held
    with locked(tmp_path):
        assert (tmp_path / ".lock").read_text() == str(os.getpid())


def test_unreadable_lock_is_taken_over(tmp_path):
    (tmp_path / ".lock").write_text("not a pid")
    with locked(tmp_path):
        assert (tmp_path / ".lock").read_text() == str(os.getpid())


def test_append_review_keeps_earlier_lines(tmp_path):
    store = Store(tmp_path / "out")
    store.ensure_reviews()
    path = store.path("reviews")
    assert path.read_bytes() == b""
    first = {"schema_version": "1", "review_id": "r1", "target_type": "claim", "target_id": "c1",
             "decision": "accept", "value": None, "reviewer": "ana", "at": "2024-05-09T10:00:00Z",
             "note": None}
    second = first | {"review_id": "r2", "decision": "reject", "note": "wrong company"}
    store.append_review(first)
    after_first = path.read_bytes()
    store.ensure_reviews()  # must not truncate an existing log
    assert path.read_bytes() == after_first
    store.append_review(second)
    after_second = path.read_bytes()
    assert after_second.startswith(after_first)
    assert after_second.count(b"\n") == 2
    assert store.reviews() == [first, second]


def test_store_text_round_trip(tmp_path):
    store = Store(tmp_path)
    store.write_text("d1", "Zoë\nline two")
    assert store.read_text("d1") == "Zoë\nline two"
    assert store.read_text("missing") is None
    store.write("claims", RECORDS)
    assert store.read("claims") == RECORDS


# --- a damaged store is refused, and validate says where -----------------------------------------


@pytest.fixture
def built(tmp_path, pipe, make_drop):
    drop = make_drop(tmp_path / "drop")
    out = tmp_path / "out"
    pipe.run([drop], out=out)
    return drop, out


def test_a_deleted_claim_line_is_refused_not_forgotten(built, pipe):
    from pipeline.store import StoreDamaged, validate_store

    drop, out = built
    claims = out / "claims.jsonl"
    lines = claims.read_text(encoding="utf-8").splitlines(keepends=True)
    claims.write_text("".join(lines[1:]), encoding="utf-8")
    before = {p.name: p.read_bytes() for p in out.glob("*.jsonl")}
    with pytest.raises(StoreDamaged, match="claims.jsonl changed since the run that wrote it"):
        pipe.run([drop], out=out)
    assert {p.name: p.read_bytes() for p in out.glob("*.jsonl")} == before  # nothing written
    assert any("claims.jsonl: changed since the run" in p for p in validate_store(out))
    pipe.run([drop], out=out, full=True)  # rebuilt from the drop
    assert claims.read_text(encoding="utf-8").splitlines(keepends=True) == lines
    assert validate_store(out) == []


def test_validate_lists_a_torn_line_and_checks_the_rest(built):
    from pipeline.store import validate_store

    _, out = built
    facts = out / "facts.jsonl"
    good = facts.read_text(encoding="utf-8")
    facts.write_text('{"fact_id": 5}\n' + good + '{"fact_id": "f_torn", "subj', encoding="utf-8")
    problems = validate_store(out)
    n = len(good.splitlines()) + 2
    assert any(p.startswith(f"facts.jsonl:{n}: not a JSON object") for p in problems)
    assert any(p.startswith("facts.jsonl:1: fact_id") for p in problems)  # the lines around it are still checked


def test_a_run_killed_between_two_files_is_no_damage(built):
    """The bytes a run is about to write are recorded first: a file already replaced by a run that
    was then stopped reads as that run's, not as damage."""
    from pipeline.store import sha256_text

    _, out = built
    store = Store(out)
    new_claims = (out / "claims.jsonl").read_text(encoding="utf-8") + "\n"
    store.write_state(store.state() | {"pending_digests": {"claims": sha256_text(new_claims)}})
    write_atomic(out / "claims.jsonl", new_claims)  # ... and the run dies here
    assert store.damaged(["claims", "facts"]) == []
    write_atomic(out / "claims.jsonl", new_claims + "\n")
    assert store.damaged(["claims", "facts"]) == ["claims"]
