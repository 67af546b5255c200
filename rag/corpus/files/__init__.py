"""Your own guideline files (PDF, HTML, DOCX, Markdown, text) read into Documents: see reader.read_file."""
