"""Reading a families-and-students CSV: size and encoding checks, flexible headers.

Headers are matched after normalizing case, spacing and punctuation, with the synonyms
that My Music Staff, Teachworks and hand-made spreadsheets use ("Student First Name",
"first name", "Parent 1 Email", "Guardian email", "DOB", ...).
"""
import csv
import io
import re

from app.core.errors import ValidationFailed

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_CELL = 1000

# canonical key -> (label shown in the preview, normalized header synonyms)
COLUMNS = {
    "first_name": ("Student first name", ("first name", "firstname", "given name", "first")),
    "last_name": ("Student last name", ("last name", "lastname", "surname", "last")),
    "name": ("Student name", ("name", "student", "full name", "student name", "student full name")),
    "email": ("Student email", ("email", "email address")),
    "phone": ("Student phone", ("phone", "phone number", "mobile", "cell", "mobile phone", "cell phone",
                                "telephone")),
    "birth_date": ("Birth date", ("birth date", "date of birth", "dob", "birthday")),
    "instrument": ("Instrument", ("instrument", "instruments", "primary instrument")),
    "teacher": ("Teacher", ("teacher", "teacher name", "instructor", "primary teacher",
                            "default teacher", "tutor")),
    "teacher_email": ("Teacher email", ("teacher email", "instructor email")),
    "family": ("Family", ("family", "family name", "family account", "household")),
    "parent_first_name": ("Parent first name", ("parent first name",)),
    "parent_last_name": ("Parent last name", ("parent last name", "parent surname")),
    "parent_name": ("Parent name", ("parent", "parent name", "parent full name", "parents")),
    "parent_email": ("Parent email", ("parent email", "parent email address", "family email",
                                      "billing email")),
    "parent_phone": ("Parent phone", ("parent phone", "parent phone number", "parent mobile",
                                      "parent cell", "home phone", "family phone")),
    "parent2_first_name": ("Parent 2 first name", ("parent2 first name",)),
    "parent2_last_name": ("Parent 2 last name", ("parent2 last name", "parent2 surname")),
    "parent2_name": ("Parent 2 name", ("parent2", "parent2 name", "parent2 full name")),
    "parent2_email": ("Parent 2 email", ("parent2 email", "parent2 email address")),
    "parent2_phone": ("Parent 2 phone", ("parent2 phone", "parent2 phone number", "parent2 mobile",
                                         "parent2 cell")),
    "address": ("Address", ("address", "street address", "home address", "family address",
                            "mailing address")),
    "lesson_minutes": ("Lesson length", ("lesson length", "lesson duration", "default lesson length",
                                         "lesson minutes", "duration", "minutes")),
    "lesson_rate": ("Lesson rate", ("lesson rate", "default lesson rate", "lesson price", "rate",
                                    "price")),
    "emergency_name": ("Emergency contact", ("emergency contact", "emergency contact name",
                                             "emergency name")),
    "emergency_phone": ("Emergency phone", ("emergency phone", "emergency contact phone",
                                            "emergency number")),
    "status": ("Status", ("status", "student status", "active")),
    "notes": ("Notes", ("notes", "note", "comments", "comment")),
}
SYNONYMS = {synonym: key for key, (_label, synonyms) in COLUMNS.items() for synonym in synonyms}
REWRITES = (
    (re.compile(r"\b(guardian|mother|father|mom|dad)\b"), "parent"),
    (re.compile(r"\bparent (1|one)\b"), "parent"),
    (re.compile(r"\b(parent (2|two)|second parent)\b"), "parent2"),
    (re.compile(r"\be mail\b"), "email"),
    (re.compile(r"\bbirthdate\b"), "birth date"),
    (re.compile(r"\bdate of birth\b"), "birth date"),
    (re.compile(r"\bphone no\b"), "phone"),
)
BINARY_SIGNATURES = {
    b"PK\x03\x04": "This is an Excel workbook or a zip file. Save it as \"CSV UTF-8\" first.",
    b"\xd0\xcf\x11\xe0": "This is an old Excel (.xls) file. Save it as \"CSV UTF-8\" first.",
    b"%PDF": "This is a PDF. Export your list as a CSV file instead.",
}


class CsvFile:
    """The parsed file: its original headers, the column mapping and the rows."""

    def __init__(self, headers, mapping, ignored, rows):
        self.headers = headers
        self.mapping = mapping  # canonical key -> original header
        self.ignored = ignored  # headers we do not use
        self.rows = rows  # [{"row": n, key: value, ...}]


def file_error(message):
    return ValidationFailed(message, field_errors={"file": [message]})


def normalize_header(header):
    text = (header or "").replace("\ufeff", "").lower().replace("'s ", " ").replace("’s ", " ")
    text = re.sub(r"([a-z])(\d)", r"\1 \2", text)
    text = " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())
    for pattern, replacement in REWRITES:
        text = pattern.sub(replacement, text)
    return text


def canonical_key(header):
    """The canonical column for a header, or None when we do not use it."""
    text = normalize_header(header)
    if text in SYNONYMS:
        return SYNONYMS[text]
    if text.startswith("student "):
        return SYNONYMS.get(text.removeprefix("student "))
    return None


def map_headers(headers):
    mapping, ignored = {}, []
    for header in headers:
        key = canonical_key(header)
        if key is None or key in mapping:
            if header.strip():
                ignored.append(header.strip())
            continue
        mapping[key] = header
    if "first_name" not in mapping and "name" not in mapping:
        found = ", ".join(h.strip() for h in headers if h.strip()) or "none"
        raise file_error(
            "The file needs a column with the student's first name (like \"Student First Name\" "
            f"or \"First Name\") or full name. Columns found: {found[:300]}."
        )
    return mapping, ignored


def decode(data):
    """The text of an uploaded file, or a clear error for everything that is not a CSV."""
    size = len(data)
    if size > MAX_BYTES:
        raise file_error(
            f"The file is {size / 1024 / 1024:.1f} MB; the limit is {MAX_BYTES // 1024 // 1024} MB. "
            "Split it into smaller files."
        )
    if not data.strip():
        raise file_error("The file is empty.")
    for signature, message in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise file_error(message)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise file_error("The file is saved as UTF-16 text. Save it as \"CSV UTF-8\" and upload it again.")
    if b"\x00" in data:
        raise file_error("This is not a CSV file: it contains binary data.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise file_error(
            f"The file is not UTF-8 text (byte {exc.start + 1} cannot be read). In your spreadsheet "
            "choose Save As → \"CSV UTF-8 (comma delimited)\" and upload that file."
        )


def _dialect(text):
    sample = text[:20000]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def read_csv(data):
    """Parse an uploaded CSV into canonical rows; raises ValidationFailed with a clear
    message for files we cannot use (size, encoding, binary, columns, row count)."""
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    try:
        headers = next(reader, [])
        mapping, ignored = map_headers(headers)
        positions = {key: headers.index(header) for key, header in mapping.items()}
        rows = []
        for number, values in enumerate(reader, start=2):  # the spreadsheet's row number
            if not any(v.strip() for v in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise file_error(f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files.")
            row = {"row": number}
            for key, position in positions.items():
                value = values[position].strip() if position < len(values) else ""
                row[key] = value[:MAX_CELL + 1]
            rows.append(row)
    except csv.Error as exc:
        raise file_error(f"Line {reader.line_num} of the file cannot be read as CSV ({exc}).")
    if not rows:
        raise file_error("The file has a header row but no students.")
    return CsvFile(headers, mapping, ignored, rows)
