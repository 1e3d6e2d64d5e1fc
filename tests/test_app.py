"""The application as a whole: it starts, its schema migrates, its pages are kind when things fail."""
from __future__ import annotations


def test_home_page_opens(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "988" in response.get_data(as_text=True)
