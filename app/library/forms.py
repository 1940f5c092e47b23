"""HTML forms for the library."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.forms import DateField
from app.library.services.resources import MAX_COPIES, MAX_DESCRIPTION

KIND_CHOICES = [("file", "File"), ("link", "Link"), ("physical", "Physical item")]
KIND_HINTS = {"file": "Sheet music, a recording, a video, a picture or a document.",
              "link": "A web page: a score on IMSLP, a video online.",
              "physical": "A book or score the studio lends out."}
FILE_TYPE_CHOICES = [("", "Detect from the file"), ("pdf", "PDF"), ("audio", "Audio"),
                     ("video", "Video"), ("image", "Image"), ("document", "Document")]
VISIBILITY_CHOICES = [("private", "Private: staff only"),
                      ("shared", "Shared with chosen students"),
                      ("studio", "Whole studio")]
TYPE_LABELS = dict(FILE_TYPE_CHOICES[1:]) | {"link": "Link", "physical": "Physical item"}
VISIBILITY_LABELS = {"private": "Private", "shared": "Shared", "studio": "Whole studio"}


class ResourceFieldsForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=MAX_DESCRIPTION)])
    category = StringField("Category", validators=[Optional(), Length(max=80)],
                           description="For example: Scales, Repertoire, Theory.")
    tags = StringField("Tags", validators=[Optional(), Length(max=900)],
                       description="Separate tags with commas.")
    visibility = SelectField("Who can see it", choices=VISIBILITY_CHOICES, default="private")
    url = StringField("Link address", validators=[Optional(), Length(max=2000)],
                      description="An address starting with https://.")
    copies = IntegerField("Copies", validators=[Optional(), NumberRange(1, MAX_COPIES)],
                          description="How many copies the studio has to lend.")

    def service_fields(self):
        fields = {"title": self.title.data or "", "description": self.description.data or "",
                  "category": self.category.data or "", "tags": self.tags.data or "",
                  "visibility": self.visibility.data}
        return fields


class ResourceForm(ResourceFieldsForm):
    """A new resource. `kind` says which of the file, the link address and the copies count:
    the fields of the other kinds are ignored (without JavaScript they are all on the page)."""
    kind = RadioField("What are you adding?", choices=KIND_CHOICES, default="file")
    kind_hints = KIND_HINTS
    file = FileField("File", description="PDF, audio, video, image or document.")
    resource_type = SelectField("Type", choices=FILE_TYPE_CHOICES, default="",
                                description="Files are checked: the type must match the content.")
    copies = IntegerField("Copies", default=1, validators=[Optional(), NumberRange(1, MAX_COPIES)],
                          description="How many copies the studio has to lend.")

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        super().process(formdata, obj, data, extra_filters, **kwargs)
        # `resource_type=link` (or physical) with no kind, as the API says it, names the kind.
        if self.resource_type.data in ("link", "physical"):
            if not self.kind.raw_data:
                self.kind.data = self.resource_type.data
            self.resource_type.data = ""

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        needed = {"file": (self.file, _has_upload(self.file.data), "Choose a file to upload."),
                  "link": (self.url, bool((self.url.data or "").strip()),
                           "Enter the address of the link, starting with https://."),
                  "physical": (self.copies, self.copies.data is not None or self.copies.errors,
                               "Say how many copies the studio has.")}
        if self.kind.data in needed:
            field, given, message = needed[self.kind.data]
            if not given:
                field.errors = [*field.errors, message]
                valid = False
        return valid

    def service_fields(self):
        fields = super().service_fields()
        kind = self.kind.data
        if kind == "file":
            fields["resource_type"] = self.resource_type.data or None
            fields["upload"] = self.file.data if _has_upload(self.file.data) else None
        else:
            fields["resource_type"] = kind
        if kind == "link":
            fields["url"] = self.url.data or ""
        if kind == "physical":
            fields["copies"] = self.copies.data
        return fields


def _has_upload(data):
    return bool(data and getattr(data, "filename", ""))


class EditResourceForm(ResourceFieldsForm):
    def service_fields_for(self, resource):
        fields = self.service_fields()
        if resource.resource_type == "link":
            fields["url"] = self.url.data or ""
        if resource.resource_type == "physical" and self.copies.data is not None:
            fields["copies"] = self.copies.data
        return fields


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ShareForm(FlaskForm):
    students = MultiCheckboxField("Students who can see it", choices=[], validate_choice=False)


class LendForm(FlaskForm):
    student = SelectField("Student", choices=[], validators=[DataRequired()])
    due_date = DateField("Due back", validators=[Optional()])
    notes = StringField("Notes", validators=[Optional(), Length(max=2000)])
