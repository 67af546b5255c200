"""The HTTP API and web page: FastAPI routes over one loaded pipeline."""
