"""Bank details of the special electoral account, checked the way the Bank of Russia checks them:
the BIC's shape, the account's control key against the BIC, the correspondent account's key, and
the payee's ИНН checksum. A mistyped digit is caught here, and the error names the field.

Control keys: Bank of Russia procedure No. 515 of 08.09.1997 (see
/work/shared/reference/payments-and-ids.md): 23 digits — the last 3 of the BIC + a client
account, or "0" + BIC digits 5-6 + a correspondent account — weighted 7,1,3 repeating; the sum
must end in 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.services import validation
from bot.services.errors import InputError

MAX_PAYEE = 160  # ГОСТ Р 56042-2014: Name
MAX_BANK = 45  # ГОСТ Р 56042-2014: BankName
_WEIGHTS = ((7, 1, 3) * 8)[:23]
# The 6th character of a clearing-currency account may be a letter, mapped to a digit.
_CURRENCY_LETTERS = {letter: str(index) for index, letter in enumerate("АВСЕНКМРТХ")}
_KPP = re.compile(r"^\d{4}[0-9A-Z]{2}\d{3}$")
_SPACES = re.compile(r"[\s-]")


@dataclass(frozen=True)
class BankDetails:
    payee_name: str
    bic: str
    account: str
    corr_account: str  # "0" when the bank has none (ГОСТ Р 56042-2014)
    bank_name: str
    payee_inn: str | None = None
    kpp: str | None = None


def _digits(raw: str) -> str:
    return _SPACES.sub("", raw)


def normalise_payee(raw: str) -> str:
    text = " ".join(raw.split())
    if len(text) < 3:
        raise InputError("fund-error-payee-empty")
    if len(text) > MAX_PAYEE:
        raise InputError("fund-error-payee-long", limit=MAX_PAYEE)
    if "|" in text:
        raise InputError("fund-error-pipe")
    return text


def normalise_bank_name(raw: str) -> str:
    text = " ".join(raw.split())
    if len(text) < 2:
        raise InputError("fund-error-bank-empty")
    if len(text) > MAX_BANK:
        raise InputError("fund-error-bank-long", limit=MAX_BANK)
    if "|" in text:
        raise InputError("fund-error-pipe")
    return text


def normalise_bic(raw: str) -> str:
    bic = _digits(raw)
    if not bic.isdigit() or len(bic) != 9:
        raise InputError("fund-error-bic-format")
    if not bic.startswith("04"):
        raise InputError("fund-error-bic-country")
    return bic


def _account_digits(raw: str, error: str) -> str:
    text = _digits(raw).upper()
    if len(text) == 20 and text[5] in _CURRENCY_LETTERS:
        text = text[:5] + _CURRENCY_LETTERS[text[5]] + text[6:]
    if not text.isdigit() or len(text) != 20:
        raise InputError(error)
    return text


def _key_sum(digits23: str) -> int:
    return sum(int(d) * w for d, w in zip(digits23, _WEIGHTS, strict=True)) % 10


def account_key_ok(bic: str, account: str) -> bool:
    return _key_sum(bic[-3:] + account) == 0


def corr_key_ok(bic: str, corr_account: str) -> bool:
    return _key_sum("0" + bic[4:6] + corr_account) == 0


def with_control_key(bic: str, account: str, *, correspondent: bool = False) -> str:
    """The account with its 9th digit set so the key holds (test data, demo data)."""
    prefix = "0" + bic[4:6] if correspondent else bic[-3:]
    digits = prefix + account[:8] + "0" + account[9:]
    # The key digit sits at position 11 of the 23, weight 3; 3 * 7 = 21 ≡ 1 (mod 10).
    key = (-_key_sum(digits) * 7) % 10
    return account[:8] + str(key) + account[9:]


def normalise_account(raw: str, bic: str) -> str:
    account = _account_digits(raw, "fund-error-account-format")
    if account.startswith("301"):
        raise InputError("fund-error-account-is-corr")
    if not account_key_ok(bic, account):
        raise InputError("fund-error-account-key")
    return account


def normalise_corr_account(raw: str, bic: str) -> str:
    if _digits(raw) in ("0", ""):
        return "0"
    corr = _account_digits(raw, "fund-error-corr-format")
    if not corr.startswith("301"):
        raise InputError("fund-error-corr-prefix")
    if corr[-3:] != bic[-3:]:
        # A correspondent account ends with the bank's number, the BIC's last three digits.
        raise InputError("fund-error-corr-bic")
    if not corr_key_ok(bic, corr):
        raise InputError("fund-error-corr-key")
    return corr


def normalise_payee_inn(raw: str) -> str:
    try:
        return validation.normalise_inn(raw)
    except InputError as error:
        # The shared validator's message does not say whose ИНН; this one does.
        checksum = error.code == "error-inn-checksum"
        code = "fund-error-inn-checksum" if checksum else "fund-error-inn-format"
        raise InputError(code) from None


def normalise_kpp(raw: str) -> str:
    kpp = _digits(raw).upper()
    if not _KPP.match(kpp):
        raise InputError("fund-error-kpp-format")
    return kpp


def check_details(details: BankDetails) -> BankDetails:
    """Every field at once (stored details, imports): the first wrong one raises."""
    bic = normalise_bic(details.bic)
    return BankDetails(
        payee_name=normalise_payee(details.payee_name),
        bic=bic,
        account=normalise_account(details.account, bic),
        corr_account=normalise_corr_account(details.corr_account, bic),
        bank_name=normalise_bank_name(details.bank_name),
        payee_inn=normalise_payee_inn(details.payee_inn) if details.payee_inn else None,
        kpp=normalise_kpp(details.kpp) if details.kpp else None,
    )
