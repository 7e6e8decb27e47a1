"""Evidence files: types by magic bytes, content-addressed storage, size limit, scope."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError, NotFound, PayloadTooLarge, PermissionDenied
from carbonpeak.service.reporting import evidence
from carbonpeak.store.db import sessionmaker_for
from carbonpeak.store.models import Evidence, EvidenceBlob
from tests.service.workflow_support import LOUDI_SB, ctx_for, make_submission

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(32)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def xlsx_bytes() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "发票 / invoice"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def plain_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "not a workbook")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PDF, "pdf"),
        (PNG, "png"),
        (JPEG, "jpeg"),
        (xlsx_bytes(), "xlsx"),
        (plain_zip(), None),  # a ZIP, but no workbook inside
        (b"PK\x03\x04 truncated", None),
        (b"GIF89a" + bytes(10), None),
        (b"<html><script>alert(1)</script>", None),
        (b"%PD", None),
        (b"", None),
    ],
)
def test_sniff_reads_the_magic_bytes(data: bytes, kind: str | None) -> None:
    assert evidence.sniff(data) == kind


@pytest.mark.parametrize(
    ("name", "kind", "safe"),
    [
        ("发票2026-03.pdf", "pdf", "发票2026-03.pdf"),
        ("../../etc/passwd", "pdf", "passwd.pdf"),
        ("C:\\photos\\meter.JPG", "jpeg", "meter.jpg"),
        ('a"b;c\r\n.png', "png", "a_b_c_.png"),
        ("report.html", "png", "report.png"),  # the extension follows the content
        ("", "xlsx", "evidence.xlsx"),
    ],
)
def test_safe_filename(name: str, kind: str, safe: str) -> None:
    assert evidence.safe_filename(name, kind) == safe


@pytest.fixture
def db(demo_url: str) -> Iterator[Session]:
    s = sessionmaker_for(demo_url)()
    yield s
    s.close()


def _count(db: Session, model: type[Evidence] | type[EvidenceBlob]) -> int:
    return int(db.execute(select(func.count()).select_from(model)).scalar_one())


def test_the_same_bytes_are_stored_once(db: Session) -> None:
    a = make_submission(db)
    b = make_submission(db, year=2027)
    ent = ctx_for(db, "ent-hengyang-pbzn")
    first = evidence.attach(ent, a, PDF, "invoice.pdf", line_code="L01", description="3 月电费发票")
    again = evidence.attach(ent, a, PDF, "copy-of-invoice.pdf", line_code="L01")
    other_line = evidence.attach(ent, a, PDF, "invoice.pdf", line_code="L02")
    other_sub = evidence.attach(ent, b, PDF, "invoice.pdf")
    assert again["id"] == first["id"]  # same submission, line and bytes: the same row
    assert len({first["id"], other_line["id"], other_sub["id"]}) == 3
    assert first["sha256"] == other_sub["sha256"]
    assert _count(db, EvidenceBlob) == 1
    assert _count(db, Evidence) == 3
    assert first["content_type"] == "application/pdf" and first["size_bytes"] == len(PDF)
    got = evidence.download(ctx_for(db, "verifier"), first["id"])
    assert (got.data, got.filename, got.content_type) == (PDF, "invoice.pdf", "application/pdf")


def test_a_renamed_file_is_judged_by_its_content(db: Session) -> None:
    sid = make_submission(db)
    ent = ctx_for(db, "ent-hengyang-pbzn")
    with pytest.raises(InputError) as err:
        evidence.attach(ent, sid, b"MZ\x90\x00 not a pdf", "invoice.pdf")
    assert [p.code for p in err.value.problems] == ["evidence_bad_type"]
    assert "invoice.pdf" in err.value.problems[0].message_zh
    with pytest.raises(InputError):
        evidence.attach(ent, sid, plain_zip(), "data.xlsx")
    png = evidence.attach(ent, sid, PNG, "meter.pdf")  # a PNG named .pdf is stored as a PNG
    assert (png["content_type"], png["filename"]) == ("image/png", "meter.png")
    assert _count(db, EvidenceBlob) == 1


def test_every_problem_is_listed_and_nothing_is_stored(db: Session) -> None:
    sid = make_submission(db)
    with pytest.raises(InputError) as err:
        evidence.attach(ctx_for(db, "ent-hengyang-pbzn"), sid, b"", "empty.pdf", line_code="L99")
    assert {p.code for p in err.value.problems} == {"evidence_empty", "unknown_line"}
    assert (_count(db, Evidence), _count(db, EvidenceBlob)) == (0, 0)


def test_the_size_limit(db: Session) -> None:
    sid = make_submission(db)
    ent = ctx_for(db, "ent-hengyang-pbzn")
    with pytest.raises(PayloadTooLarge):
        evidence.attach(ent, sid, PDF + bytes(2000), "big.pdf", max_bytes=1024)
    assert evidence.attach(ent, sid, PDF, "small.pdf", max_bytes=1024)["size_bytes"] == len(PDF)
    assert _count(db, EvidenceBlob) == 1


def test_who_may_attach(db: Session) -> None:
    sid = make_submission(db, status="submitted")
    with pytest.raises(PermissionDenied):  # the verifier only while verifying
        evidence.attach(ctx_for(db, "verifier"), sid, PNG, "meter.png")
    for user in ("city-hengyang", "province", "ent-hengyang-pbzn"):
        evidence.attach(ctx_for(db, user), sid, PNG, f"{user}.png")
    for user in ("city-chenzhou", "ent-loudi-sb", "public"):
        with pytest.raises(NotFound):
            evidence.attach(ctx_for(db, user), sid, PNG, "x.png")
    uv = make_submission(db, year=2027, status="under_verification")
    assert evidence.attach(ctx_for(db, "verifier"), uv, JPEG, "site.jpg")["content_type"] == "image/jpeg"
    done = make_submission(db, year=2028, status="approved")
    with pytest.raises(PermissionDenied):
        evidence.attach(ctx_for(db, "ent-hengyang-pbzn"), done, PNG, "late.png")


def test_listing_and_download_stay_in_scope(db: Session) -> None:
    sid = make_submission(db)
    loudi = make_submission(db, LOUDI_SB)
    ev = evidence.attach(ctx_for(db, "ent-hengyang-pbzn"), sid, PDF, "invoice.pdf")
    ev_loudi = evidence.attach(ctx_for(db, "ent-loudi-sb"), loudi, PDF, "invoice.pdf")
    for user in ("city-chenzhou", "ent-loudi-sb", "public"):
        with pytest.raises(NotFound):
            evidence.download(ctx_for(db, user), ev["id"])
        with pytest.raises(NotFound):
            evidence.list_evidence(ctx_for(db, user), sid)
    with pytest.raises(NotFound):  # the verifier is not assigned in Loudi
        evidence.download(ctx_for(db, "verifier"), ev_loudi["id"])
    with pytest.raises(NotFound):
        evidence.download(ctx_for(db, "province"), 999_999)
    for user in ("city-hengyang", "province", "verifier", "ent-hengyang-pbzn"):
        assert [e["id"] for e in evidence.list_evidence(ctx_for(db, user), sid)] == [ev["id"]]
        assert evidence.download(ctx_for(db, user), ev["id"]).data == PDF


MAGIC = (b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"PK\x03\x04")


@given(st.binary(max_size=200))
def test_sniff_never_trusts_anything_but_the_magic_bytes(data: bytes) -> None:
    kind = evidence.sniff(data)
    if not data.startswith(MAGIC):
        assert kind is None
    elif data.startswith(MAGIC[0]):
        assert kind == "pdf"
    else:
        assert kind in ("png", "jpeg", None) if not data.startswith(MAGIC[3]) else kind in ("xlsx", None)


@given(st.text(max_size=300), st.sampled_from(sorted(evidence.KINDS)))
def test_a_stored_name_is_a_plain_base_name_with_the_real_extension(name: str, kind: str) -> None:
    safe = evidence.safe_filename(name, kind)
    assert safe.endswith(evidence.KINDS[kind][1])
    assert 0 < len(safe) <= 120
    assert not set(safe) & set('/\\:*?"<>|;') and safe.isprintable()
    assert not safe.startswith(".")
