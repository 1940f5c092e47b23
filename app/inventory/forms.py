"""HTML forms for items, photos, requests and the checkout desk's actions."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.forms import Money
from app.inventory.models import ITEM_CATEGORIES, ITEM_CONDITIONS, MAX_CHECKOUT_DAYS
from app.inventory.services.items import MAX_QUANTITY, STAFF_STATUSES

CONDITION_CHOICES = [(c, c.capitalize()) for c in ITEM_CONDITIONS]


class ItemForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    category = SelectField("Category", choices=[(c, c.capitalize()) for c in ITEM_CATEGORIES])
    quantity = IntegerField("Quantity", default=1, validators=[
        InputRequired(), NumberRange(0, MAX_QUANTITY, "Quantity cannot be below zero.")])
    available_quantity = IntegerField("Available", validators=[
        Optional(), NumberRange(0, MAX_QUANTITY, "Available quantity cannot be below zero.")],
        description="On the shelf now; leave empty for all but those lent out.")
    condition = SelectField("Condition", choices=CONDITION_CHOICES, default="good")
    location = StringField("Location", validators=[Optional(), Length(max=120)])
    value = StringField("Value", validators=[Optional(), Money(minimum=0)])
    serial_number = StringField("Serial number", validators=[Optional(), Length(max=80)])
    is_borrowable = BooleanField("Families may borrow it", default=True)
    max_checkout_days = IntegerField("Max checkout days", default=14, validators=[
        InputRequired(), NumberRange(1, MAX_CHECKOUT_DAYS)])
    rental_fee = StringField("Rental fee per month", validators=[Optional(), Money(minimum=0)],
                             description="Optional; billed on the family's monthly invoice.")
    status = SelectField("Status", choices=[(s, s.capitalize()) for s in STAFF_STATUSES],
                         description="Checked out follows the shelf by itself.")
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)])

    def service_fields(self):
        fields = {name: getattr(self, name).data for name in (
            "name", "category", "quantity", "condition", "location", "value", "serial_number",
            "is_borrowable", "max_checkout_days", "rental_fee", "status", "notes")}
        if self.available_quantity.data is not None:
            fields["available_quantity"] = self.available_quantity.data
        return fields


class PhotoForm(FlaskForm):
    photo = FileField("Photo", description="JPEG, PNG, GIF or WebP.")


class RequestForm(FlaskForm):
    student = SelectField("For", choices=[])
    notes = TextAreaField("Note for the staff", validators=[Optional(), Length(max=1000)])


class RejectForm(FlaskForm):
    reason = StringField("Reason", validators=[DataRequired("Say why the request is rejected."),
                                               Length(max=1000)])


class ReturnForm(FlaskForm):
    condition = SelectField("Condition on return", choices=CONDITION_CHOICES, default="good")
    note = StringField("Note", validators=[Optional(), Length(max=1000)])
