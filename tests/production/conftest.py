from tests.api.conftest import accountant_api, admin_api, client_for, roles  # noqa: F401 - fixtures
