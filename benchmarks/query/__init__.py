"""`guideqa bench query`: query-path latency (in process and through the HTTP server) and index memory."""
