"""DatabaseConfig: parsing DATABASE_URL and rendering settings for each client library."""

import pytest

from negotiation.database import DatabaseConfig, config_from_url

SOCKET = DatabaseConfig(
    host="/work/var/pgdata", port=5432, user="postgres", password="", dbname="postgres"
)
TCP = DatabaseConfig(host="db.example", port=6543, user="app", password="s3cr:t@/", dbname="neg")


def test_tcp_url_gives_every_part() -> None:
    config = config_from_url("postgresql://app:pw@db.example:6543/negotiation")

    assert config == DatabaseConfig("db.example", 6543, "app", "pw", "negotiation")


def test_socket_directory_in_host_parameter_selects_a_unix_socket() -> None:
    config = config_from_url("postgresql://postgres@/neg?host=/run/postgresql&port=5433")

    assert config == DatabaseConfig("/run/postgresql", 5433, "postgres", "", "neg")
    assert config.is_unix_socket


def test_percent_encoded_socket_directory_as_host_selects_a_unix_socket() -> None:
    config = config_from_url("postgres://%2Frun%2Fpostgresql/neg")

    assert config.host == "/run/postgresql"
    assert config.is_unix_socket


def test_missing_parts_take_libpq_like_defaults() -> None:
    config = config_from_url("postgresql://")

    assert config == DatabaseConfig("localhost", 5432, "postgres", "", "postgres")


def test_ipv6_host_keeps_its_address() -> None:
    config = config_from_url("postgresql://u@[::1]:5440/d")

    assert (config.host, config.port) == ("::1", 5440)


@pytest.mark.parametrize("config", [SOCKET, TCP], ids=["socket", "tcp"])
def test_dsn_parses_back_to_the_same_config(config: DatabaseConfig) -> None:
    assert config_from_url(config.dsn()) == config


@pytest.mark.parametrize(
    "url",
    ["mysql://u@h/d", "postgresql://u@h/d?sslmode=require", "postgresql://u@h:port/d"],
    ids=["other-scheme", "unsupported-parameter", "bad-port"],
)
def test_url_this_config_cannot_honour_is_refused(url: str) -> None:
    with pytest.raises(ValueError):
        config_from_url(url)


def test_eventsourcing_env_always_carries_a_password_key() -> None:
    env = SOCKET.eventsourcing_env()

    assert env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    assert env["POSTGRES_HOST"] == "/work/var/pgdata"
    assert env["POSTGRES_PORT"] == "5432"
    assert env["POSTGRES_PASSWORD"] == ""


def test_asyncpg_kwargs_leave_out_an_empty_password() -> None:
    assert SOCKET.asyncpg_kwargs() == {
        "host": "/work/var/pgdata",
        "port": 5432,
        "user": "postgres",
        "database": "postgres",
    }
    assert TCP.asyncpg_kwargs()["password"] == "s3cr:t@/"


def test_repr_hides_the_password() -> None:
    assert "s3cr" not in repr(TCP)
