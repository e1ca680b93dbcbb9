"""Join codes, teacher keys, nicknames and the rate limit."""

from __future__ import annotations

import hmac

import pytest

from gradcam_core.quiz import security


def test_join_codes_use_only_unambiguous_characters():
    codes = {security.new_join_code() for _ in range(300)}
    assert len(codes) > 290  # random, not a counter
    for code in codes:
        assert len(code) == 6
        assert not set(code) & set("0O1IL2Z5S6G8BQUV")


def test_typed_codes_are_read_leniently_and_others_refused():
    assert security.normalize_join_code(" acd-efh ") == "ACDEFH"
    assert security.normalize_join_code("ＡＣＤ ＥＦＨ") == "ACDEFH"  # full-width phone keyboard
    for bad in ("", "ACDEF", "ACDEFHJ", "ACDEF0", "ACD'EF", "A;DROP", None):
        assert security.normalize_join_code(bad) is None


def test_teacher_keys_are_stored_salted_and_checked():
    key = security.new_teacher_key()
    assert len(key) == 19 and key.count("-") == 3
    first, second = security.hash_key(key), security.hash_key(key)
    assert first != second  # a fresh salt each time
    assert key not in first
    assert first.startswith("scrypt$16384$8$1$")
    assert security.verify_key(key, first) and security.verify_key(key, second)
    assert security.verify_key(key.lower().replace("-", " "), first)  # as typed
    assert not security.verify_key(key[:-1] + ("A" if key[-1] != "A" else "C"), first)
    assert not security.verify_key("", first)


def test_key_check_compares_in_constant_time(monkeypatch):
    calls = []
    original = hmac.compare_digest

    def spy(a, b):
        calls.append((len(a), len(b)))
        return original(a, b)

    monkeypatch.setattr(security.hmac, "compare_digest", spy)
    stored = security.hash_key("KEY")
    assert not security.verify_key("WRONG", stored)
    assert calls == [(32, 32)]


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plain-text-key",
        "scrypt$16384$8$1$!!notbase64$AAAA",
        "md5$16384$8$1$AAAA$AAAA",
        "scrypt$1048576$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA",  # a cost that would take 1 GB
    ],
)
def test_damaged_or_foreign_hash_records_never_match(stored):
    assert not security.verify_key("anything", stored)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("  Ana  ", "Ana"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"[:24]),  # kept, shown as text
        ("**bold** [link](http://x)", "**bold** [link](http://x"),
        ("Robert'); DROP TABLE quiz_students;--", "Robert'); DROP TABLE qui"),
        ("a\x00b\x07c\x1bd", "abcd"),  # control characters
        ("evil\u202egnp.exe", "evilgnp.exe"),  # right-to-left override
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("tab\tand\nnewline", "tab and newline"),
        ("Ｆｕｌｌ", "Full"),  # NFKC
        ("李雷", "李雷"),
        ("", None),
        ("   \n\t ", None),
        ("\u200b\u202e", None),
        (None, None),
    ],
)
def test_nicknames_are_cleaned(given, expected):
    assert security.clean_nickname(given) == expected


def test_a_10_kB_nickname_is_cut_to_24_characters():
    assert security.clean_nickname("x" * 10_000) == "x" * 24
    assert security.clean_nickname("\u200b" * 10_000 + "Ana") is None  # only the head is read


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_allows_a_burst_then_one_per_interval():
    clock = FakeClock()
    limiter = security.RateLimiter(capacity=3, per_second=0.5, clock=clock)
    assert [limiter.allow() for _ in range(4)] == [True, True, True, False]
    assert limiter.wait_seconds() == pytest.approx(2.0)
    clock.now += 1.0
    assert not limiter.allow()
    clock.now += 1.0
    assert limiter.allow()
    clock.now += 1000
    assert [limiter.allow() for _ in range(4)] == [True, True, True, False]  # never above 3
