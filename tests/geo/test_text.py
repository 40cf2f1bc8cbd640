import pytest

from geo.text import fold, matches, nfc, parse_vn_number, slugify


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("KCN Đình Vũ", "kcn-dinh-vu"),
        ("KKT Đình Vũ – Cát Hải", "kkt-dinh-vu-cat-hai"),
        ("KCN Nam Đình Vũ (khu 1)", "kcn-nam-dinh-vu-khu-1"),
        ("CCN Tân Liên", "ccn-tan-lien"),
        ("  KCN  Thủy Nguyên 2 ", "kcn-thuy-nguyen-2"),
        (nfc("KCN Tra\u0300ng Due\u0302\u0323 3"), "kcn-trang-due-3"),
    ],
)
def test_slugify(name, slug):
    assert slugify(name) == slug


def test_long_slugs_are_capped_with_a_hash():
    long_a = "KCN " + "Khu công nghiệp rất dài " * 20 + "phía Bắc"
    long_b = "KCN " + "Khu công nghiệp rất dài " * 20 + "phía Nam"
    a, b = slugify(long_a), slugify(long_b)
    assert len(a) <= 80 and len(b) <= 80
    assert a != b
    assert a.startswith("kcn-khu-cong-nghiep-rat-dai-")
    assert a == slugify(long_a)  # stable
    assert slugify("x" * 200) == slugify("x" * 200) and len(slugify("x" * 200)) == 80


def test_fold_handles_decomposed_and_composed_forms():
    assert fold("Đình Vũ") == fold("Đi\u0300nh Vu\u0303") == "dinh vu"


@pytest.mark.parametrize(
    ("query", "name", "hit"),
    [
        ("dinh vu", "KCN Đình Vũ", True),
        ("DINH VU", "KCN Nam Đình Vũ I", True),
        ("đình", "KCN Đình Vũ", True),
        ("trang due", "KCN Đình Vũ", False),
        ("", "anything", True),
    ],
)
def test_matches(query, name, hit):
    assert matches(query, name) is hit


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.079,92", 1079.92),
        ("12.702", 12702.0),
        ("22.540", 22540.0),
        ("63,5", 63.5),
        ("281.327", 281327.0),
        ("21.328,59", 21328.59),
        ("187,9", 187.9),
        ("1079.92", 1079.92),
        ("7", 7.0),
        (" 1.433 ", 1433.0),
    ],
)
def test_parse_vn_number(text, value):
    assert parse_vn_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "1.2.3,4,5"])
def test_parse_vn_number_rejects(text):
    with pytest.raises(ValueError, match="not a number"):
        parse_vn_number(text)
