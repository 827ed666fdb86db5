import pytest

from billing.identifiers import ik_error, kvnr_check_digit, kvnr_error


@pytest.mark.parametrize("kvnr", ["A123456780", "Z987654321"[:9] + str(kvnr_check_digit("Z98765432"))])
def test_valid_kvnr_passes(kvnr):
    assert kvnr_error(kvnr) is None


@pytest.mark.parametrize("kvnr", ["A123456789", "G995030567", "A12345678", "a123456780", "1123456780", ""])
def test_invalid_kvnr_is_named(kvnr):
    assert kvnr_error(kvnr)


def test_kvnr_wrong_check_digit_says_so():
    assert "Prüfziffer" in kvnr_error("A123456781")


@pytest.mark.parametrize("ik", ["260326822", "100696012"])
def test_valid_ik_passes(ik):
    assert ik_error(ik) is None


@pytest.mark.parametrize("ik", ["260326821", "10069601", "1006960123", "10069601x", ""])
def test_invalid_ik_is_named(ik):
    assert ik_error(ik)
