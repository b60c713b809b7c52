"""Web forms: what organizers may type, checked field by field with messages beside each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from babel import Locale, UnknownLocaleError
from flask_babel import get_locale, lazy_gettext, lazy_ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..dates import (
    DateParseError,
    DatePart,
    campaign_last_year,
    date_window_problem,
    parse_date_phrase,
)
from ..models import Campaign
from ..rules import (
    COMMON_LANGUAGES,
    MAX_LENGTHS,
    PHOTO_CAPTION_MAX,
    PHOTO_REASON_MAX,
    PHOTO_RULES,
    REPORT_MAX_ATTENDANCE,
    REPORT_MAX_LINKS,
    REPORT_WORDS_MAX,
    RSVP_MAX_CAPACITY,
    RSVP_MAX_PEOPLE,
    TimeProblem,
    control_character,
    is_web_link,
    language_tag,
    time_problem,
)
from .messages import translate

# The choice that keeps an event's stored point, and the one for coordinates typed or dragged.
KEEP, PIN = "keep", "pin"


def limit(name: str) -> Length:
    """Bound a field by the shared limit of the event field it fills."""
    return Length(max=MAX_LENGTHS[name])


def plain_text(*, multiline: bool = False) -> Any:
    """Refuse control characters (and line breaks in one-line fields), naming the first found."""

    def check(_form: FlaskForm, field: Field) -> None:
        char = control_character(field.data or "", multiline=multiline)
        if char is None:
            return
        if char in "\r\n":
            raise ValidationError(_("Please keep this on one line."))
        raise ValidationError(
            _("Contains an invisible control character (%(char)s).", char=repr(char))
        )

    return check


def web_link(_form: FlaskForm, field: Field) -> None:
    """Accept only http and https addresses, so a link can never run script."""
    if field.data and not is_web_link(field.data):
        raise ValidationError(_("Give a web address starting with https:// (or http://)."))


def known_language(_form: FlaskForm, field: Field) -> None:
    """Accept a language tag Babel knows (the shared rule), kept in its canonical form."""
    tag = language_tag(field.data or "")
    if tag is None:
        raise ValidationError(lazy_gettext("Choose the language from the list."))
    field.data = tag


def language_name(tag: str, visitor: Locale | None = None) -> str:
    """Name a language in the visitor's language (pt-BR -> "portugués (Brasil)" in Spanish)."""
    visitor = visitor or get_locale()
    try:
        name = Locale.parse(tag.replace("-", "_")).get_display_name(visitor)
    except (ValueError, TypeError, UnknownLocaleError):
        name = None
    return name or tag


def language_choices(current: str | None) -> list[tuple[str, str]]:
    """Offer "not said", then the common languages (and the stored one) by name, as read."""
    tags = list(COMMON_LANGUAGES)
    stored = language_tag(current) if current else None
    if stored is not None and stored not in tags:
        tags.append(stored)  # a party imported in a language the list does not offer
    visitor = get_locale()
    named = sorted(
        ((tag, language_name(tag, visitor)) for tag in tags), key=lambda c: c[1].casefold()
    )
    return [("", str(lazy_gettext("not said"))), *named]


# What the form says beside a field when the times do not fit the days.
TIME_MESSAGES = {
    TimeProblem.NEEDS_DATE: _l("Times need a date; leave them empty while TBD."),
    TimeProblem.NEEDS_START: _l("Give the start time too."),
    TimeProblem.ENDS_BEFORE_START: _l(
        "Ends before it starts. For a party past midnight, make the last day the next day."
    ),
}


def _strip(value: Any) -> Any:
    """Trim the spaces people paste around what they type."""
    return value.strip() if isinstance(value, str) else value


class EventForm(FlaskForm):
    """A party as its organizer describes it: what, where, when and who to ask."""

    class Meta:
        """Trim every text field."""

        def bind_field(self, form: FlaskForm, unbound_field: Any, options: dict) -> Field:
            filters = unbound_field.kwargs.get("filters", ())
            if unbound_field.field_class in (StringField, TextAreaField, EmailField, URLField):
                unbound_field.kwargs["filters"] = [_strip, *filters]
            return unbound_field.bind(form=form, **options)

    campaign = SelectField(_l("Celebration"), validators=[InputRequired()])
    title = StringField(
        _l("Name of the party or user group"),
        validators=[InputRequired(_l("Give your party a name.")), limit("title"), plain_text()],
    )
    location = StringField(
        _l("City and country"),
        description=_l(
            "Like “Kazan, Russia” or “Austin, TX”. You can check the pin before saving."
        ),
        validators=[InputRequired(_l("Say where the party is.")), limit("location"), plain_text()],
    )
    venue = StringField(
        _l("Venue"),
        description=_l("Optional."),
        validators=[Optional(), limit("venue"), plain_text()],
    )
    address = StringField(
        _l("Street address"),
        description=_l("Optional."),
        validators=[Optional(), limit("address"), plain_text()],
    )
    date_text = StringField(
        _l("Date"),
        description=_l(
            "As you would write it: “July 19”, “July 27–29”, or “TBD” if not fixed yet."
            " Or pick the days below."
        ),
        validators=[Optional(), limit("date_text"), plain_text()],
    )
    start_date = DateField(
        _l("First day"),
        validators=[Optional()],
        invalid_value_message=_l("Not a real day; pick it from the calendar."),
    )
    end_date = DateField(
        _l("Last day"),
        description=_l("Leave empty for a one-day party."),
        validators=[Optional()],
        invalid_value_message=_l("Not a real day; pick it from the calendar."),
    )
    start_time = TimeField(
        _l("Starts at"),
        description=_l("Optional, local time."),
        validators=[Optional()],
        invalid_value_message=_l("Write the time as HH:MM, like 18:30."),
    )
    end_time = TimeField(
        _l("Ends at"),
        validators=[Optional()],
        invalid_value_message=_l("Write the time as HH:MM, like 22:00."),
    )
    link = URLField(
        _l("Link"),
        description=_l("Your meetup or registration page (optional)."),
        validators=[Optional(), limit("link"), plain_text(), web_link],
    )
    description = TextAreaField(
        _l("About the party"),
        description=_l("Optional. Plain text; *emphasis*, **bold**, lists and links work."),
        validators=[Optional(), limit("description"), plain_text(multiline=True)],
    )
    language = SelectField(
        lazy_gettext("Written in"),
        description=lazy_gettext(
            "Optional: the language you wrote the name, description and place in. Pages mark"
            " your text with it, so that it is read aloud right; nothing is translated."
        ),
        validate_choice=False,
        validators=[Optional(), limit("language"), known_language],
    )
    organizer_name = StringField(
        _l("Your name"),
        description=_l("For the campaign team only; never shown on the site."),
        validators=[
            InputRequired(_l("Tell us who you are.")),
            limit("organizer_name"),
            plain_text(),
        ],
    )
    organizer_email = EmailField(
        _l("Your e-mail"),
        description=_l("For the campaign team only; your private edit link is sent there."),
        validators=[
            InputRequired(_l("We need an address to reach you.")),
            limit("organizer_email"),
            plain_text(),
            Email(_l("That does not look like an e-mail address.")),
        ],
    )
    # A field people never see; bots that fill in every field give themselves away.
    website = StringField(_l("Leave this field empty"), validators=[Optional(), Length(max=300)])
    # The preview step: which of the places found is meant, or the organizer's own pin.
    choice = RadioField(_l("Where is it?"), choices=[], validate_choice=False)
    pin_latitude = StringField(_l("Latitude"), validators=[Optional(), Length(max=32)])
    pin_longitude = StringField(_l("Longitude"), validators=[Optional(), Length(max=32)])
    previewed = HiddenField(validators=[Optional(), Length(max=300)])

    def __init__(self, *args: Any, campaigns: Sequence[Campaign] = (), **kwargs: Any) -> None:
        """Offer the campaigns that exist as choices."""
        super().__init__(*args, **kwargs)
        self.campaigns = {c.slug: c for c in campaigns}
        self.campaign.choices = [(c.slug, c.name) for c in campaigns]
        self.language.choices = language_choices(self.language.data)
        self.parts: tuple[DatePart, ...] = ()
        self.normalised_date_text = ""

    @property
    def selected_campaign(self) -> Campaign | None:
        """Return the campaign chosen in the form."""
        return self.campaigns.get(self.campaign.data or "")

    def validate(self, extra_validators: Any = None) -> bool:
        """Check each field, then that the dates and times make sense together."""
        valid = super().validate(extra_validators)
        campaign = self.selected_campaign
        if campaign is None:
            self.campaign.errors = [*self.campaign.errors, _("Choose one of the celebrations.")]
            return False
        if not self.date_text.errors and not self.start_date.errors and not self.end_date.errors:
            valid = self._check_dates(campaign) and valid
        return valid

    def _fail(self, field: Field, message: str) -> bool:
        """Put a message beside a field; return False for the caller to pass on."""
        field.errors = [*field.errors, message]
        return False

    def _check_dates(self, campaign: Campaign) -> bool:
        """Read the date phrase or the picked days, then the times, into dated parts."""
        phrase: str = self.date_text.data or ""
        first: date | None = self.start_date.data
        last: date | None = self.end_date.data
        if phrase:
            try:
                parsed = parse_date_phrase(phrase, campaign.year)
            except DateParseError as exc:
                return self._fail(self.date_text, translate(exc.message))
            if first is not None and parsed.start != first:
                return self._fail(
                    self.start_date,
                    _(
                        "Does not match the date written above (%(phrase)s); clear one of them.",
                        phrase=phrase,
                    ),
                )
            self.parts, self.normalised_date_text = parsed.parts, phrase
        elif first is not None:
            last = last or first
            if last < first:
                return self._fail(self.end_date, _("The last day is before the first day."))
            self.parts = (DatePart(first, last, None),)
        elif last is not None:
            return self._fail(self.start_date, _("Pick the first day too."))
        else:
            return self._fail(
                self.date_text, _("Give the date, or write “TBD” if it is not fixed yet.")
            )
        problem = date_window_problem(self.parts, campaign_last_year(campaign, campaign.year))
        if problem is not None:
            beside = self.start_date if problem.side == "start" else self.end_date
            return self._fail(self.date_text if phrase else beside, translate(problem.message))
        return self._check_times()

    def _check_times(self) -> bool:
        """Refuse times without a date, an end without a start, and one-day parties ending early."""
        if self.start_time.errors or self.end_time.errors:
            return False
        problem = time_problem(self.start_time.data, self.end_time.data, self.parts)
        if problem is None:
            return True
        return self._fail(getattr(self, problem.field), TIME_MESSAGES[problem])

    def pin(self) -> tuple[float, float] | None:
        """Return the coordinates typed or dragged for the pin, when both are valid."""
        try:
            latitude = float(self.pin_latitude.data or "")
            longitude = float(self.pin_longitude.data or "")
        except ValueError:
            return None
        if -90 <= latitude <= 90 and -180 <= longitude <= 180:
            return latitude, longitude
        return None


class ModeratorEventForm(EventForm):
    """The organizers' form as moderators use it: imported parties have no organizer to name."""

    organizer_name = StringField(
        _l("Organizer's name"),
        description=_l("For the campaign team only; empty for imported parties."),
        validators=[Optional(), limit("organizer_name"), plain_text()],
    )
    organizer_email = EmailField(
        _l("Organizer's e-mail"),
        description=_l("For the campaign team only; empty for imported parties."),
        validators=[
            Optional(),
            limit("organizer_email"),
            plain_text(),
            Email(_l("That does not look like an e-mail address.")),
        ],
    )


class WithdrawForm(FlaskForm):
    """A confirmation that the organizer wants the party off the map."""


def _people_label(count: int) -> Any:
    """Say how many people an answer brings, in the words of the visitor's language."""
    if count == 1:
        return _l("just me")
    return lazy_ngettext(
        "%(people)s (me and %(num)s more)",
        "%(people)s (me and %(num)s more)",
        count - 1,
        people=count,
    )


def _people_choices() -> list[SelectChoice]:
    """Offer 1 to RSVP_MAX_PEOPLE people (the answering person included)."""
    return [
        SelectChoice(n, _people_label(n))  # type: ignore[arg-type]
        for n in people_range()
    ]


def people_range() -> range:
    """Return how many people one answer may bring."""
    return range(1, RSVP_MAX_PEOPLE + 1)


class RsvpForm(FlaskForm):
    """ "I'm going": who (optional, never public), the address to confirm, how many, a note."""

    class Meta:
        """Trim every text field."""

        def bind_field(self, form: FlaskForm, unbound_field: Any, options: dict) -> Field:
            if unbound_field.field_class in (StringField, TextAreaField, EmailField):
                unbound_field.kwargs["filters"] = [_strip, *unbound_field.kwargs.get("filters", ())]
            return unbound_field.bind(form=form, **options)

    # Offered only for a multi-part party; otherwise absent from the form, and 0.
    position = SelectField(
        _l("Which part"),
        coerce=int,
        choices=[SelectChoice(0, _l("the party"))],  # type: ignore[arg-type]
        default=0,
    )
    name = StringField(
        _l("Your name"),
        description=_l("Optional; only the organizer sees it."),
        validators=[Optional(), limit("attendee_name"), plain_text()],
    )
    email = EmailField(
        _l("Your e-mail"),
        description=_l("We send a link there to confirm; only the organizer sees it."),
        validators=[
            InputRequired(_l("We need an address to send the confirmation to.")),
            limit("attendee_email"),
            plain_text(),
            Email(_l("That does not look like an e-mail address.")),
        ],
    )
    people = SelectField(_l("How many people"), coerce=int, choices=_people_choices(), default=1)
    note = TextAreaField(
        _l("A note to the organizer"),
        description=_l("Optional; only the organizer sees it."),
        validators=[Optional(), limit("attendee_note"), plain_text(multiline=True)],
    )
    # A field people never see; bots that fill in every field give themselves away.
    website = StringField(_l("Leave this field empty"), validators=[Optional(), Length(max=300)])


class RsvpChangeForm(FlaskForm):
    """An attendee's change to their answer, through their private link."""

    name = RsvpForm.name
    people = RsvpForm.people
    note = RsvpForm.note
    Meta = RsvpForm.Meta


class RsvpOptionsForm(FlaskForm):
    """An organizer's settings for answers: a capacity (with a waitlist beyond) and closing."""

    capacity = IntegerField(
        _l("How many people can come"),
        description=_l("Leave empty for no limit; beyond it, answers join a waitlist."),
        validators=[Optional(), NumberRange(min=1, max=RSVP_MAX_CAPACITY)],
    )
    closed = BooleanField(_l("Close the answers: nobody new can say they are going"))


class ConfirmForm(FlaskForm):
    """A one-button form: confirming, cancelling or deleting through a private link."""


class PhotoUploadForm(FlaskForm):
    """Pictures of a party: up to PHOTO_RULES.max_files images, a caption and the consent."""

    class Meta:
        """Trim the caption."""

        def bind_field(self, form: FlaskForm, unbound_field: Any, options: dict) -> Field:
            if unbound_field.field_class is StringField:
                unbound_field.kwargs["filters"] = [_strip, *unbound_field.kwargs.get("filters", ())]
            return unbound_field.bind(form=form, **options)

    photos = MultipleFileField(
        _l("Photos"),
        id="photo-files",  # "photos" is the gallery's section, the anchor every link names
        description=_l(
            "Up to %(most)s %(formats)s images, %(megabytes)s MB each."
            " We remove the location and camera data.",
            most=PHOTO_RULES.max_files,
            formats=PHOTO_RULES.accepted_names,
            megabytes=PHOTO_RULES.max_megabytes,
        ),
    )
    caption = StringField(
        _l("Caption"),
        id="photo-caption",
        description=_l("Describes the photos for people who cannot see them; shown beside them."),
        validators=[
            InputRequired(
                _l("Write a few words about the photos, for people who cannot see them.")
            ),
            Length(max=PHOTO_CAPTION_MAX),
            plain_text(),
        ],
    )
    consent = BooleanField(
        _l("I took these photos or may share them, and the people in them agreed"),
        id="photo-consent",
        validators=[
            InputRequired(_l("Tick the box: we can only show photos shared with consent."))
        ],
    )
    website = StringField(
        _l("Leave this field empty"),
        id="photo-website",  # the RSVP form on the same page has its own
        validators=[Optional(), Length(max=300)],
    )

    def validate_photos(self, field: Field) -> None:
        """Ask for one to PHOTO_RULES.max_files files."""
        files = [f for f in field.data or [] if getattr(f, "filename", "")]
        if not files:
            raise ValidationError(_("Choose at least one photo."))
        if len(files) > PHOTO_RULES.max_files:
            raise ValidationError(
                _(
                    "That is %(num)s files: send at most %(most)s at a time.",
                    num=len(files),
                    most=PHOTO_RULES.max_files,
                )
            )


class PhotoDecisionForm(FlaskForm):
    """Publishing or rejecting the photos ticked, with a reason for a rejection."""

    reason = StringField(
        _l("Reason for a rejection"),
        description=_l("Kept in the moderation trail."),
        validators=[Optional(), Length(max=PHOTO_REASON_MAX), plain_text()],
        filters=[_strip],
    )


class ReportForm(FlaskForm):
    """The organizer's report after the party: how many came, a few words, links."""

    attendance = IntegerField(
        _l("How many came"),
        validators=[Optional(), NumberRange(min=0, max=REPORT_MAX_ATTENDANCE)],
    )
    words = TextAreaField(
        _l("A few words"),
        description=_l("Shown on the party's page."),
        validators=[Optional(), Length(max=REPORT_WORDS_MAX), plain_text(multiline=True)],
        filters=[_strip],
    )
    links = TextAreaField(
        _l("Links"),
        description=_l(
            "Slides, videos, posts with the hashtag: one web address a line, at most %(most)s."
            " Shown as plain links.",
            most=REPORT_MAX_LINKS,
        ),
        validators=[Optional(), Length(max=REPORT_MAX_LINKS * (MAX_LENGTHS["link"] + 2))],
        filters=[_strip],
    )

    @property
    def link_list(self) -> list[str]:
        """Return the links, one a line, blank lines left out."""
        return [line.strip() for line in (self.links.data or "").splitlines() if line.strip()]

    def validate_links(self, field: Field) -> None:
        """Take only web addresses, at most REPORT_MAX_LINKS (the shared link rule)."""
        links = self.link_list
        if len(links) > REPORT_MAX_LINKS:
            raise ValidationError(_("At most %(most)s links, one a line.", most=REPORT_MAX_LINKS))
        for link in links:
            if len(link) > MAX_LENGTHS["link"] or not is_web_link(link):
                raise ValidationError(
                    _(
                        "“%(link)s” is not a web address starting with https:// (or http://).",
                        link=link[:80],
                    )
                )
            if control_character(link):
                raise ValidationError(_("Contains an invisible control character."))
