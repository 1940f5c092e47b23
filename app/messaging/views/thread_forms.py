"""HTML forms of threads: a new thread (recipients, subject, first message) and a reply."""
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.messaging.services.threads import MAX_BODY, MAX_SUBJECT

MARKDOWN_HINT = "Markdown works: **bold**, *italic*, lists, links."


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ReplyForm(FlaskForm):
    body = TextAreaField("Your reply", validators=[DataRequired("Write a message."),
                                                   Length(max=MAX_BODY)],
                         description=MARKDOWN_HINT)
    resources = MultiCheckboxField("Attach from the library", choices=[])


class NewThreadForm(FlaskForm):
    participants = MultiCheckboxField("To", choices=[],
                                      validators=[DataRequired("Choose who to write to.")])
    subject = StringField("Subject", validators=[DataRequired("Write a subject."),
                                                 Length(max=MAX_SUBJECT)])
    body = TextAreaField("Message", validators=[DataRequired("Write a message."),
                                                Length(max=MAX_BODY)],
                         description=MARKDOWN_HINT)
    resources = MultiCheckboxField("Attach from the library", choices=[])
