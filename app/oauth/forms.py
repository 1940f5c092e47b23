"""HTML forms: registering and editing an app."""
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.oauth.services import scope_choices
from app.oauth.services.apps import MAX_NAME


class ScopesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AppForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=MAX_NAME)],
                       description="Shown to people when the app asks for their consent.")
    redirect_uris = TextAreaField(
        "Redirect URIs", validators=[DataRequired()],
        description="One a line. https://, or http:// only for localhost or 127.0.0.1 "
                    "(a native app may then listen on any port).")
    scopes = ScopesField("Scopes the app may ask for", choices=scope_choices())

    def service_fields(self):
        return {"name": self.name.data, "redirect_uris": self.redirect_uris.data or "",
                "scopes": self.scopes.data or []}


class RegisterAppForm(AppForm):
    kind = RadioField("Kind of app", default="confidential", choices=[
        ("confidential", "Server app: keeps a client secret"),
        ("public", "Mobile, desktop or browser app: no secret"),
    ])
