"""HTML forms for the library."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.forms import DateField
from app.library.services.resources import MAX_COPIES, MAX_DESCRIPTION

TYPE_CHOICES = [("", "Detect from the file"), ("pdf", "PDF"), ("audio", "Audio"),
                ("video", "Video"), ("image", "Image"), ("document", "Document"),
                ("link", "Link (no file)"), ("physical", "Physical item (no file)")]
VISIBILITY_CHOICES = [("private", "Private: staff only"),
                      ("shared", "Shared with chosen students"),
                      ("studio", "Whole studio")]
TYPE_LABELS = dict(TYPE_CHOICES[1:]) | {"link": "Link", "physical": "Physical item"}
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
                      description="For links: an address starting with https://.")
    copies = IntegerField("Copies", validators=[Optional(), NumberRange(1, MAX_COPIES)],
                          description="For physical items: how many copies the studio has.")

    def service_fields(self):
        fields = {"title": self.title.data or "", "description": self.description.data or "",
                  "category": self.category.data or "", "tags": self.tags.data or "",
                  "visibility": self.visibility.data}
        return fields


class ResourceForm(ResourceFieldsForm):
    file = FileField("File", description="PDF, audio, video, image or document.")
    resource_type = SelectField("Type", choices=TYPE_CHOICES, default="",
                                description="Files are checked: the type must match the content.")

    def service_fields(self):
        fields = super().service_fields()
        fields["resource_type"] = self.resource_type.data or None
        fields["upload"] = self.file.data or None
        if fields["resource_type"] == "link":
            fields["url"] = self.url.data or ""
        if fields["resource_type"] == "physical":
            fields["copies"] = self.copies.data
        return fields


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
