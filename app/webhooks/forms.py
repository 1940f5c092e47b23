"""HTML forms for an endpoint: its URL, the events it receives (checkboxes grouped by area)
and a description. The service checks the URL's address."""
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length

from app.core.webhook_events import EVENTS


class EndpointForm(FlaskForm):
    url = StringField("Endpoint URL", validators=[DataRequired("Enter the URL to send events to."),
                                                  Length(max=2000)],
                      description="Where Cadenza POSTs each event, e.g. https://example.com/hooks/cadenza.")
    events = SelectMultipleField("Events", choices=[(name, name) for name in EVENTS],
                                 validators=[DataRequired("Choose at least one event.")])
    description = StringField("Description", validators=[Length(max=200)],
                              description="Optional: what receives them.")
