"""PDF documents: the shared base (``base.render_pdf``) and one module per document."""
