"""The password policy, one rule for every way a password is set.

A password has 10 to 128 characters and mixes lower-case and upper-case letters, digits and at
least one other character (space or punctuation). FAB calls ``check`` from its forms (add user,
reset password) and its user API as ``FAB_PASSWORD_COMPLEXITY_VALIDATOR``; the security manager
calls it in ``add_user`` and ``reset_password`` (the paths of the CLI, the seed and any code), which
FAB itself leaves unchecked.

FAB's default rule (two capitals, two digits, three lower-case letters) is replaced: length does
more than counting classes twice, and the rule here reads in one sentence.
"""

from __future__ import annotations

from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_babel import gettext

MIN_LENGTH = 10
MAX_LENGTH = 128  # hashing is deliberately slow: an unbounded input would be a cheap attack


def problems(password: str) -> list[str]:
    """What ``password`` lacks, in the user's language; empty when it passes."""
    out = []
    if not isinstance(password, str) or not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        out.append(gettext("Use %(low)d to %(high)d characters.", low=MIN_LENGTH, high=MAX_LENGTH))
        if not isinstance(password, str):
            return out
    if "\x00" in password:
        out.append(gettext("A password cannot contain a NUL character."))
    if not (any(c.islower() for c in password) and any(c.isupper() for c in password)):
        out.append(gettext("Mix lower-case and upper-case letters."))
    if not any(c.isdigit() for c in password):
        out.append(gettext("Include a digit."))
    if all(c.isalnum() for c in password):
        out.append(gettext("Include a character that is neither a letter nor a digit."))
    return out


def check(password: str) -> None:
    """Raise FAB's PasswordComplexityValidationError (a translated message) for a weak password."""
    found = problems(password)
    if found:
        raise PasswordComplexityValidationError(" ".join(found))
