import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files of a test never land in the developer's .data/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
