"""WTForms for the billing pages. Amounts are text fields: the services check them (two
decimals at most, not negative) so the HTML and the API refuse the same inputs."""
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.billing.models import METHOD_LABELS, PAYMENT_METHODS
from app.core.forms import DateField

AMOUNT_ATTRS = {"inputmode": "decimal", "autocomplete": "off"}


class InvoiceForm(FlaskForm):
    family = SelectField("Family", validators=[DataRequired("Choose a family.")])
    issue_date = DateField("Issue date", validators=[Optional()])
    due_date = DateField("Due date", validators=[Optional()],
                         description="Leave empty for the studio's usual payment terms.")
    notes = TextAreaField("Notes for the family", validators=[Length(max=5000)])


class InvoiceHeaderForm(FlaskForm):
    issue_date = DateField("Issue date", validators=[InputRequired("Enter the issue date.")])
    due_date = DateField("Due date", validators=[InputRequired("Enter the due date.")])
    discount = StringField("Discount", default="0.00", render_kw=AMOUNT_ATTRS,
                           description="An amount off the subtotal, before tax.")
    notes = TextAreaField("Notes for the family", validators=[Length(max=5000)])


class LineItemForm(FlaskForm):
    description = StringField("Description", validators=[
        DataRequired("Describe the line."), Length(max=300)])
    quantity = StringField("Quantity", default="1", render_kw={"inputmode": "decimal"})
    unit_price = StringField("Unit price", render_kw=AMOUNT_ATTRS)


class PaymentForm(FlaskForm):
    amount = StringField("Amount", render_kw=AMOUNT_ATTRS)
    method = SelectField("Method", choices=[(m, METHOD_LABELS[m]) for m in PAYMENT_METHODS])
    paid_on = DateField("Paid on", validators=[Optional()],
                        description="Leave empty for today.")
    transaction_id = StringField("Reference", validators=[Length(max=120)],
                                 description="Check number or transaction id (optional).")
    notes = StringField("Notes", validators=[Length(max=2000)])


class RefundForm(FlaskForm):
    amount = StringField("Amount to refund", render_kw=AMOUNT_ATTRS)
    notes = StringField("Reason", validators=[Length(max=2000)])


class VoidForm(FlaskForm):
    reason = StringField("Reason", validators=[Length(max=500)])


class CreditForm(FlaskForm):
    amount = StringField("Credit amount", render_kw=AMOUNT_ATTRS)
    reason = StringField("Reason", validators=[Length(max=300)])


class GenerateForm(FlaskForm):
    period_start = DateField("From", validators=[InputRequired("Enter the first day.")])
    period_end = DateField("To", validators=[InputRequired("Enter the last day.")])
    family = SelectField("Family", choices=[], validate_choice=False,
                         description="Leave on “All families” to bill everyone.")


class PeriodForm(FlaskForm):
    period_start = DateField("From", validators=[InputRequired("Enter the first day.")])
    period_end = DateField("To", validators=[InputRequired("Enter the last day.")])
