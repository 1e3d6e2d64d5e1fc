"""What each state calls its legislature's chambers and their members, in the page's (or letter's) language.

Most lower chambers are a House of Representatives; California, Nevada, New York and Wisconsin have an
Assembly (whose members are Assemblymembers, except in Wisconsin, where they are Representatives), New
Jersey a General Assembly, and Maryland, Virginia and West Virginia a House of Delegates. Nebraska has one
chamber, the Legislature, whose members are Senators.
"""
from __future__ import annotations

from babel.lists import format_list
from flask_babel import gettext as _

from ..i18n import current_language

ASSEMBLY = {"CA", "NV", "NY", "WI"}
GENERAL_ASSEMBLY = {"NJ"}
DELEGATES = {"MD", "VA", "WV"}
ASSEMBLYMEMBERS = {"CA", "NV", "NY", "NJ"}


def official_title(state: str, chamber: str) -> str:
    """'Senator', 'Representative', 'Assemblymember', 'Delegate' or 'Governor': the state's own title."""
    if chamber in ("upper", "legislature"):
        return _("Senator")
    if chamber == "governor":
        return _("Governor")
    if state in ASSEMBLYMEMBERS:
        return _("Assemblymember")
    return _("Delegate") if state in DELEGATES else _("Representative")


def body_name(state: str, chamber: str, state_name: str) -> str:
    """The chamber (or office) as a letter's address names it: 'Ohio Senate', 'Governor of Ohio'."""
    if chamber == "legislature":
        return _("%(state)s Legislature", state=state_name)
    if chamber == "upper":
        return _("%(state)s Senate", state=state_name)
    if chamber == "governor":
        return _("Governor of %(state)s", state=state_name)
    if state in ASSEMBLY:
        return _("%(state)s State Assembly", state=state_name)
    if state in GENERAL_ASSEMBLY:
        return _("%(state)s General Assembly", state=state_name)
    if state in DELEGATES:
        return _("%(state)s House of Delegates", state=state_name)
    return _("%(state)s House of Representatives", state=state_name)


def recipients_phrase(recipients: list[str]) -> str:
    """'your state senator, your state representative and your governor' ('a su senador o senadora estatal,
    a quien le representa en la cámara estatal y a la gobernación'): who a state campaign's letters go to."""
    phrases = {"upper": _("your state senator"), "lower": _("your state representative"),
               "governor": _("your governor")}
    return format_list([phrases[r] for r in recipients], locale=current_language())
