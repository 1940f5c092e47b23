def test_health_answers_ok(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_studio_setup_fixture(studio_setup):
    assert studio_setup.users["admin"].email.startswith("admin")
