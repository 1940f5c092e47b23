"""HTML form to make an API key: a name, scopes as checkboxes, an optional last day."""
from flask_wtf import FlaskForm
from wtforms import DateField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.core.permissions import SCOPES
from app.developer.services.api_keys import MAX_NAME_LENGTH


class ApiKeyForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Name the key (what uses it)."),
                                           Length(max=MAX_NAME_LENGTH)],
                       description="What uses it, e.g. “Website booking form”.")
    scopes = SelectMultipleField("Scopes", choices=[(scope, scope) for scope in SCOPES],
                                 validators=[DataRequired("Choose at least one scope.")])
    expires_on = DateField("Expires on", validators=[Optional()],
                           description="Optional. The key stops working at the end of this day.")
