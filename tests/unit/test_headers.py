import unicodedata

from pipelines.lib import headers as h
from pipelines.lib.schema import FEED_COLUMNS, FEEDS, REQUIRED_COLUMNS


def test_match_header_ignores_case_spaces_and_unicode_form():
    nfd = unicodedata.normalize("NFD", "Ngày tiếp nhận")
    assert nfd != "Ngày tiếp nhận"
    assert h.match_header(f"  {nfd.upper()} ") == h.match_header("ngày tiếp nhận")
    assert h.match_header("Mã\u00a0 hồ   sơ") == "mã hồ sơ"  # NBSP and runs collapse


def test_every_feed_column_is_mapped_once():
    for feed in FEEDS:
        names = [c.name for c in h.FEED_HEADERS[feed]]
        assert len(names) == len(set(names))
        delivered = set(names) - {h.ID_NUMBER_COLUMN, *h.PERSONAL_COLUMNS}
        # Everything raw stores is delivered, except the two derived ID columns.
        stored = set(FEED_COLUMNS[feed]) - {"applicant_id_hash", "applicant_id_kind"}
        assert delivered == stored
        assert set(REQUIRED_COLUMNS[feed]) <= set(names)


def test_header_lookup_accepts_header_key_and_canonical_name():
    lookup = h.header_lookup("dossiers")
    assert lookup[h.match_header("Kênh nộp")] == "channel"
    assert lookup[h.match_header("KenhThucHien")] == "channel"
    assert lookup[h.match_header("channel")] == "channel"
    # Same Vietnamese header, different key per feed.
    assert h.header_lookup("procedures")[h.match_header("Trạng thái")] == "status"


def test_coded_lookup_takes_names_and_codes():
    status = h.coded_lookup(h.DOSSIER_STATUS)
    assert status[h.match_header("ĐÃ TRẢ KẾT QUẢ")] == 10
    assert status["10"] == 10
    assert h.coded_lookup(h.PROCEDURE_STATUS)["0"] == 0
    assert h.coded_lookup(h.SERVICE_LEVEL)[h.match_header("Toàn trình")] == "TT"
    assert h.coded_lookup(h.SCOPE)[h.match_header("Địa bàn")] == "area"
    assert h.coded_lookup(h.BOOLEAN)[h.match_header("KHÔNG")] is False
