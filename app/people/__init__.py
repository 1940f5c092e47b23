"""People: teachers, families, guardians and students (the studio's directory)."""
