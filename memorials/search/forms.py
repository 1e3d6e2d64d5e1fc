"""The find-a-memorial form: a GET form (no CSRF token), every field optional, bad values set aside."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import SearchField, SelectField
from wtforms.validators import Length, Optional, ValidationError

from ..i18n import current_language
from ..states import STATES, state_choices
from ..text import one_line
from ..timeutil import utcnow
from .models import AGE_GROUPS
from .query import Filters

_AGE = re.compile(r"^\s*(\d{1,3})\s*-\s*(\d{1,3})?\s*$")
_YEAR = re.compile(r"^\s*(\d{4})\s*$")
_OPTIONS: dict[tuple, Markup] = {}
_CHOICES: dict[str, tuple[list, list]] = {}
EARLIEST_YEAR = 1900
OLDEST = 130


def age_value(low: int, high: int | None) -> str:
    """The URL form of an age range: '25-34', '65-'."""
    return f"{low}-{'' if high is None else high}"


def age_label(low: int, high: int | None) -> str:
    if low == 0 and high is not None:
        return _("Under %(age)s", age=high + 1)
    if high is None:
        return _("%(age)s and over", age=low)
    return _("%(low)s to %(high)s", low=low, high=high)


def parse_age(value: str | None) -> tuple[int, int | None] | None:
    """'25-34' -> (25, 34); '65-' -> (65, None); anything else -> None."""
    match = _AGE.match(value or "")
    if not match:
        return None
    low, high = int(match.group(1)), (int(match.group(2)) if match.group(2) else None)
    if low > OLDEST or (high is not None and (high < low or high > OLDEST)):
        return None
    return low, high


def _choices() -> tuple[list, list]:
    """The states and the age groups to offer, in the page's language: worded once per language (a list page made
    them afresh on every first visit, half of what making its form cost)."""
    language = current_language()
    found = _CHOICES.get(language)
    if found is None:
        found = _CHOICES[language] = (
            [("", _("Any state"))] + [(code, str(name)) for code, name in state_choices()],
            [("", _("Any age"))] + [(age_value(low, high), age_label(low, high)) for low, high in AGE_GROUPS])
    return found


class FindForm(FlaskForm):
    """Words, state, year they died, age. Made from the query string: FindForm(request.args)."""

    q = SearchField(_l("Name, place or words from their story"), filters=[one_line],
                    validators=[Optional(),
                                Length(max=200, message=_l("Please use fewer words (up to 200 characters)."))])
    state = SelectField(_l("State"), validate_choice=False, filters=[one_line])
    year = SelectField(_l("Year they died"), validate_choice=False, filters=[one_line])
    age = SelectField(_l("Age"), validate_choice=False, filters=[one_line])

    def __init__(self, formdata, **kwargs):
        super().__init__(formdata=formdata, meta={"csrf": False}, **kwargs)
        states, ages = _choices()
        self.state.choices, self.age.choices = list(states), list(ages)
        self.year.choices = [("", _("Any year"))]

    def validate_state(self, field):
        if field.data:
            field.data = field.data.upper()
            if field.data not in STATES:
                raise ValidationError(_("Please choose a state from the list."))

    def validate_year(self, field):
        match = _YEAR.match(field.data or "")
        if field.data and not (match and EARLIEST_YEAR <= int(match.group(1)) <= utcnow().year):
            raise ValidationError(_("Please choose a year from the list."))

    def validate_age(self, field):
        if field.data and parse_age(field.data) is None:
            raise ValidationError(_("Please choose an age from the list."))
        if field.data:
            low, high = parse_age(field.data)
            field.data = age_value(low, high)
            if field.data not in dict(self.age.choices):
                self.age.choices.append((field.data, age_label(low, high)))

    def filters(self) -> Filters:
        """The filters that were valid; a field in error is left out (and says why beside it)."""
        def ok(f):
            return bool(f.data) and not f.errors

        return Filters(
            q=self.q.data if ok(self.q) else "",
            state=self.state.data if ok(self.state) else None,
            year=int(self.year.data) if ok(self.year) else None,
            age=parse_age(self.age.data) if ok(self.age) else None,
        )

    def offer_years(self, years: list[int]) -> None:
        """The years that have memorials (for the other filters chosen), newest first."""
        self.year.choices = [("", _("Any year"))] + [(str(y), str(y)) for y in years]

    def options(self, field) -> Markup:
        """A select's <option>s with the chosen one marked. The list is written once per language and set
        of choices (57 states on every page view add up), then only the mark is placed."""
        key = (field.name, current_language(), tuple((value, str(label)) for value, label in field.choices))
        written = _OPTIONS.get(key)
        if written is None:
            written = Markup("").join(Markup('<option value="{}">{}</option>').format(value, label)
                                      for value, label in key[2])
            if len(_OPTIONS) < 1000:
                _OPTIONS[key] = written
        if not field.data:
            return written
        plain = str(Markup('<option value="{}">').format(field.data))
        return Markup(str(written).replace(plain, plain[:-1] + " selected>", 1))

    def query_args(self) -> dict:
        """The valid filters as URL parameters, for links to other pages of the same results."""
        f = self.filters()
        args = {"q": f.q or None, "state": f.state, "year": f.year,
                "age": age_value(*f.age) if f.age else None}
        return {k: v for k, v in args.items() if v}


class WallForm(FlaskForm):
    """The wall of faces' one filter: a state. A GET form, like the list's."""

    state = SelectField(_l("State"), validate_choice=False, filters=[one_line])

    def __init__(self, formdata, **kwargs):
        super().__init__(formdata=formdata, meta={"csrf": False}, **kwargs)
        self.state.choices = [("", _("Every state"))] + state_choices()

    validate_state = FindForm.validate_state

    def chosen_state(self) -> str | None:
        return self.state.data if self.state.data and not self.state.errors else None

    options = FindForm.options
