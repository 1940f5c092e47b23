"""Teaching records: lesson notes, goals, lesson plans and practice logs."""
